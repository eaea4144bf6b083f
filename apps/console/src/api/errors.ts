/** An API answer other than 2xx, with the gateway's stable `code` and its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

/** The error a response carries, in words a person can act on. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const parsed: ErrorBody = typeof body === 'object' && body !== null ? body : {};
  const code = typeof parsed.code === 'string' ? parsed.code : `HTTP_${status}`;
  const message =
    typeof parsed.message === 'string' && parsed.message.trim() !== ''
      ? parsed.message
      : fallbackMessage(status);
  return new ApiError(status, code, message, parsed.details);
}

function fallbackMessage(status: number): string {
  if (status === 0) {
    return 'The server could not be reached. Check your connection and try again.';
  }
  if (status >= 500) {
    return 'The server had a problem. Try again in a moment.';
  }
  return `The request failed (HTTP ${status}).`;
}

/** What to show for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    return error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return 'Something went wrong.';
}

/**
 * VALIDATION_FAILED names each field in `details` (`[{field, message}]`): the message of
 * each top-level field, to show beside its input.
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const details = error instanceof ApiError ? error.details : undefined;
  const errors: Record<string, string> = {};
  for (const problem of Array.isArray(details) ? details : []) {
    const { field, message } = (problem ?? {}) as { field?: unknown; message?: unknown };
    if (typeof field === 'string' && typeof message === 'string') {
      errors[field.split('.')[0]] ??= message;
    }
  }
  return errors;
}
