import type { DocumentFailureCode, DocumentType } from '@tenantbot/contracts';

export interface ExtractionInput {
  type: DocumentType;
  data: Uint8Array;
  /** The page's address, for web pages: resolves relative links, becomes the chunks' source. */
  sourceUrl: string | null;
}

export interface ExtractedPage {
  /** The PDF page number; null for formats without pages. */
  page: number | null;
  /** Plain text, with Markdown headings where the format has headings. */
  text: string;
}

export interface Extraction {
  title: string | null;
  pages: ExtractedPage[];
  /** Pages of a PDF; null for other formats. */
  pageCount: number | null;
}

export type ExtractionResult =
  { ok: true; extraction: Extraction } | { ok: false; code: DocumentFailureCode; message: string };
