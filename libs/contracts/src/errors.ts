/**
 * Stable machine-readable error codes. Services throw `DomainError`s carrying one of these;
 * the gateway maps the code to an HTTP status and the JSON error body of API.md.
 * Never rename a code: clients switch on them.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** Input no field may hold, whatever its schema (a NUL character). */
  INVALID_REQUEST: 'INVALID_REQUEST',
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** The HTTP request itself could not be parsed (e.g. a NUL or a space in a header). */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** A path that is not valid percent-encoding. */
  MALFORMED_URL: 'MALFORMED_URL',
  /** A multipart body that is cut off or not multipart at all. */
  MALFORMED_MULTIPART: 'MALFORMED_MULTIPART',
  /** More multipart parts, fields or files than an upload takes. */
  TOO_MANY_PARTS: 'TOO_MANY_PARTS',
  /** A 4xx the HTTP layer raised that has no more precise code. */
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  URI_TOO_LONG: 'URI_TOO_LONG',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TENANT_MISMATCH: 'TENANT_MISMATCH',
  TENANT_NOT_FOUND: 'TENANT_NOT_FOUND',
  TENANT_INACTIVE: 'TENANT_INACTIVE',
  TENANT_REQUIRED: 'TENANT_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  FEATURE_DISABLED: 'FEATURE_DISABLED',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  UNSUPPORTED_DOCUMENT_TYPE: 'UNSUPPORTED_DOCUMENT_TYPE',
  DOCUMENT_NOT_FOUND: 'DOCUMENT_NOT_FOUND',
  URL_NOT_ALLOWED: 'URL_NOT_ALLOWED',
  MODEL_NOT_ALLOWED: 'MODEL_NOT_ALLOWED',
  /** A model that is neither in the catalog (by id or alias) nor an assistant. */
  UNKNOWN_MODEL: 'UNKNOWN_MODEL',
  /** The same Idempotency-Key with another request body. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with this Idempotency-Key is still running. */
  IDEMPOTENCY_KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
  CONVERSATION_NOT_FOUND: 'CONVERSATION_NOT_FOUND',
  /** Another agent claimed the conversation first. */
  ALREADY_CLAIMED: 'ALREADY_CLAIMED',
  /** The conversation is closed: nothing more is added to it. */
  CONVERSATION_CLOSED: 'CONVERSATION_CLOSED',
  /** Only the agent the conversation is assigned to may reply or release it. */
  NOT_ASSIGNED: 'NOT_ASSIGNED',
  PROVIDER_ERROR: 'PROVIDER_ERROR',
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  FIELD_NOT_WRITABLE: 'FIELD_NOT_WRITABLE',
  DOMAIN_NOT_ALLOWED: 'DOMAIN_NOT_ALLOWED',
  DOMAIN_NOT_FOUND: 'DOMAIN_NOT_FOUND',
  DOMAIN_NOT_VERIFIED: 'DOMAIN_NOT_VERIFIED',
  WIDGET_NOT_FOUND: 'WIDGET_NOT_FOUND',
  WIDGET_INACTIVE: 'WIDGET_INACTIVE',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** No assistant of the caller's tenant has this id (another tenant's is not found either). */
  ASSISTANT_NOT_FOUND: 'ASSISTANT_NOT_FOUND',
  /** The caller's role (or a website visitor) may not chat with this assistant. */
  ASSISTANT_FORBIDDEN: 'ASSISTANT_FORBIDDEN',
  /** Another assistant of the tenant has this slug. */
  ASSISTANT_SLUG_TAKEN: 'ASSISTANT_SLUG_TAKEN',
  /** An assistant's model is not one the tenant allows. */
  ASSISTANT_MODEL_NOT_ALLOWED: 'ASSISTANT_MODEL_NOT_ALLOWED',
  /** The default assistant cannot be deleted or made non-default; make another the default. */
  ASSISTANT_IS_DEFAULT: 'ASSISTANT_IS_DEFAULT',
  WEBHOOK_NOT_FOUND: 'WEBHOOK_NOT_FOUND',
  MESSAGE_NOT_FOUND: 'MESSAGE_NOT_FOUND',
  /** Feedback is on the assistant's answers only. */
  MESSAGE_NOT_RATEABLE: 'MESSAGE_NOT_RATEABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const httpStatusByCode: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_REQUEST: 400,
  MALFORMED_JSON: 400,
  MALFORMED_REQUEST: 400,
  MALFORMED_URL: 400,
  MALFORMED_MULTIPART: 400,
  TOO_MANY_PARTS: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TENANT_MISMATCH: 403,
  TENANT_NOT_FOUND: 404,
  TENANT_INACTIVE: 403,
  TENANT_REQUIRED: 400,
  RATE_LIMITED: 429,
  FEATURE_DISABLED: 403,
  NOT_IMPLEMENTED: 501,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
  INTERNAL_ERROR: 500,
  BUDGET_EXCEEDED: 402,
  DOCUMENT_TOO_LARGE: 413,
  UNSUPPORTED_DOCUMENT_TYPE: 415,
  DOCUMENT_NOT_FOUND: 404,
  URL_NOT_ALLOWED: 400,
  MODEL_NOT_ALLOWED: 403,
  UNKNOWN_MODEL: 400,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  CONVERSATION_NOT_FOUND: 404,
  ALREADY_CLAIMED: 409,
  CONVERSATION_CLOSED: 409,
  NOT_ASSIGNED: 409,
  PROVIDER_ERROR: 502,
  FIELD_NOT_WRITABLE: 403,
  DOMAIN_NOT_ALLOWED: 400,
  DOMAIN_NOT_FOUND: 404,
  DOMAIN_NOT_VERIFIED: 422,
  WIDGET_NOT_FOUND: 404,
  WIDGET_INACTIVE: 403,
  ORIGIN_NOT_ALLOWED: 403,
  ASSISTANT_NOT_FOUND: 404,
  ASSISTANT_FORBIDDEN: 403,
  ASSISTANT_SLUG_TAKEN: 409,
  ASSISTANT_MODEL_NOT_ALLOWED: 400,
  ASSISTANT_IS_DEFAULT: 409,
  WEBHOOK_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  MESSAGE_NOT_RATEABLE: 400,
};

export function httpStatusFor(code: string): number {
  return httpStatusByCode[code as ErrorCode] ?? 500;
}

/** The error shape that crosses the transport and reaches HTTP clients. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** An expected failure with a stable code. Anything else is an internal error. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return httpStatusFor(this.code);
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromBody(body: ErrorBody): DomainError {
    return new DomainError(body.code, body.message, body.details);
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).code === 'string' &&
    typeof (value as ErrorBody).message === 'string'
  );
}
