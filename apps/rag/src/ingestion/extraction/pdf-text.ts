import { PDFParse } from 'pdf-parse';

import { DocumentFailure } from '../document-failure';
import type { ExtractedPage } from './extraction-types';

/** The text layer of every page, with its page number. */
export async function pdfPages(data: Uint8Array): Promise<ExtractedPage[]> {
  const parser = new PDFParse({ data, verbosity: 0 });
  try {
    const result = await parser.getText();
    return result.pages.map((page) => ({ page: page.num, text: page.text }));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') {
      throw new DocumentFailure('EXTRACTION_FAILED', 'the PDF is password-protected');
    }
    throw new DocumentFailure(
      'EXTRACTION_FAILED',
      `the PDF could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await parser.destroy();
  }
}
