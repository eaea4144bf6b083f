import type { DocumentFailureCode } from '@tenantbot/contracts';

import { DocumentFailure } from '../document-failure';
import type { Extraction, ExtractionInput, ExtractionResult } from './extraction-types';

/** Every input's text, or why it could not be read; one failure does not stop the others. */
export async function extractAll(inputs: ExtractionInput[]): Promise<ExtractionResult[]> {
  const results: ExtractionResult[] = [];
  for (const input of inputs) {
    try {
      results.push({ ok: true, extraction: await extract(input) });
    } catch (error) {
      results.push({ ok: false, code: failureCode(error), message: describe(error) });
    }
  }
  return results;
}

function failureCode(error: unknown): DocumentFailureCode {
  return error instanceof DocumentFailure ? error.code : 'EXTRACTION_FAILED';
}

function describe(error: unknown): string {
  if (error instanceof DocumentFailure) {
    return error.message;
  }
  return `the document could not be read: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Text of one document. The parsers of untrusted formats (PDF, DOCX, HTML, CSV) are loaded on
 * demand and only ever run inside the extraction process (see `SandboxedExtractor`); the
 * service itself runs this only for text and Markdown. Keep the static imports light.
 */
export async function extract(input: ExtractionInput): Promise<Extraction> {
  switch (input.type) {
    case 'pdf':
      return extractPdf(input.data);
    case 'docx': {
      const { docxText } = await import('./docx-text');
      return single(await docxText(input.data), null);
    }
    case 'html': {
      const { readableHtml } = await import('./html-text');
      const page = readableHtml(text(input.data), input.sourceUrl);
      return single(page.text, page.title);
    }
    case 'csv': {
      const { csvText } = await import('./csv-text');
      return single(csvText(text(input.data)), null);
    }
    case 'md':
    case 'txt':
      return single(text(input.data), null);
  }
}

async function extractPdf(data: Uint8Array): Promise<Extraction> {
  const { pdfPages } = await import('./pdf-text');
  const pages = await pdfPages(data);
  return { title: null, pages, pageCount: pages.length };
}

function single(body: string, title: string | null): Extraction {
  return { title, pages: [{ page: null, text: body }], pageCount: null };
}

/** UTF-8 text (the type was checked before); a byte-order mark is dropped. */
function text(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    throw new DocumentFailure('UNSUPPORTED_DOCUMENT_TYPE', 'the file is not UTF-8 text');
  }
}
