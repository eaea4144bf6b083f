import type { operations } from '../api/schema';
import type { DocumentStatus, DocumentView } from '../api/types';

export const DOCUMENT_STATUS_LABELS: Record<DocumentStatus, string> = {
  pending: 'Pending',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
};

/** Failure codes of the ingestion, in words an admin can act on. */
const FAILURE_HINTS: Record<string, string> = {
  UNSUPPORTED_DOCUMENT_TYPE:
    'This file type is not supported (PDF, TXT, Markdown, HTML, DOCX, CSV).',
  DOCUMENT_TOO_LARGE: 'The file is larger than the platform accepts.',
  URL_NOT_ALLOWED: 'This address may not be fetched (private or local networks are refused).',
  SOURCE_NOT_FOUND: 'The stored file or page is gone.',
  FETCH_FAILED: 'The web page could not be fetched.',
  ROBOTS_DISALLOWED: 'The site’s robots.txt forbids fetching this page.',
  NO_TEXT_FOUND: 'No text was found in the document (a scanned PDF?).',
  EXTRACTION_FAILED: 'The text could not be read from the file.',
  EXTRACTION_LIMIT_EXCEEDED: 'The document is too long to process.',
  EMBEDDING_FAILED: 'The search index could not be built; try reprocessing.',
  INGESTION_FAILED: 'Processing failed; try reprocessing.',
};

/** The failure reason to show: the hint for its code, then the service's own message. */
export function failureReason(document: Pick<DocumentView, 'status' | 'error'>): string | null {
  if (document.status !== 'failed') {
    return null;
  }
  if (!document.error) {
    return 'Processing failed for an unknown reason.';
  }
  const hint = FAILURE_HINTS[document.error.code];
  return hint ? `${hint} (${document.error.message})` : document.error.message;
}

/** Whether the list must keep polling: some document is still on its way. */
export function needsPolling(documents: readonly Pick<DocumentView, 'status'>[]): boolean {
  return documents.some(
    (document) => document.status === 'pending' || document.status === 'processing',
  );
}

export interface DocumentFilter {
  status: DocumentStatus | '';
  type: string;
  text: string;
}

export const NO_FILTER: DocumentFilter = { status: '', type: '', text: '' };

/** The name a document is known by: its file, title or URL. */
export function documentName(
  document: Pick<DocumentView, 'filename' | 'title' | 'url' | 'id'>,
): string {
  return document.title ?? document.filename ?? document.url ?? document.id;
}

export function filterDocuments<T extends DocumentView>(
  documents: readonly T[],
  filter: DocumentFilter,
): T[] {
  const text = filter.text.trim().toLowerCase();
  return documents.filter(
    (document) =>
      (!filter.status || document.status === filter.status) &&
      (!filter.type || (document.type ?? document.source) === filter.type) &&
      (!text || documentName(document).toLowerCase().includes(text)),
  );
}

/** The types present in a list, for the filter's options. */
export function typesOf(documents: readonly DocumentView[]): string[] {
  return [...new Set(documents.map((document) => document.type ?? document.source))].sort();
}

type DocumentQuery = NonNullable<operations['RagController_list']['parameters']['query']>;
const FILE_TYPES = ['pdf', 'txt', 'md', 'html', 'docx', 'csv'] as const;
const SOURCES = ['url', 'crawl', 'text'] as const;
/** The kinds the type filter offers: a file's type, or how a document came without a file. */
export const DOCUMENT_KINDS: readonly string[] = [...FILE_TYPES, ...SOURCES];

/**
 * The documents list's server-side filters for a filter (status, and the kind as `type` or
 * `source`), up to the API's largest page; the name filter stays in the browser.
 */
export function documentQuery(filter: DocumentFilter): DocumentQuery {
  const query: DocumentQuery = { limit: 100 };
  if (filter.status) {
    query.status = filter.status;
  }
  if ((FILE_TYPES as readonly string[]).includes(filter.type)) {
    query.type = filter.type as DocumentQuery['type'];
  } else if ((SOURCES as readonly string[]).includes(filter.type)) {
    query.source = filter.type as DocumentQuery['source'];
  }
  return query;
}
