import { DocumentFailure } from '../document-failure';
import type { Extraction, ExtractionInput } from './extraction-types';

/**
 * Text of one document. Runs inside the extraction process (see `SandboxedExtractor`): the
 * parsers of untrusted files are loaded there, on demand, and never in the service itself.
 * Keep the imports of this file light: every extraction process loads them.
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
