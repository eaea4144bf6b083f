import mammoth from 'mammoth';

import { DocumentFailure } from '../document-failure';
import { fragmentText } from './html-text';

/** A DOCX through mammoth's HTML (headings survive as Markdown headings). */
export async function docxText(data: Uint8Array): Promise<string> {
  try {
    const { value } = await mammoth.convertToHtml({
      buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    });
    return fragmentText(value);
  } catch (error) {
    throw new DocumentFailure(
      'EXTRACTION_FAILED',
      `the DOCX could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
