import type { DocumentFailureCode } from '@tenantbot/contracts';

/**
 * Why a document cannot be ingested, with the code and message kept on the document.
 * Not retryable (a parse error, a refused URL) fails the document at once; retryable (a site
 * answering 503) goes through the job's backoff and fails only when the attempts run out.
 */
export class DocumentFailure extends Error {
  constructor(
    readonly code: DocumentFailureCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'DocumentFailure';
  }
}
