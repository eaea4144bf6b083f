import { randomUUID } from 'node:crypto';

import { HttpException } from '@nestjs/common';
import { z } from 'zod';

import {
  DomainError,
  type ErrorBody,
  ErrorCode,
  httpStatusFor,
  isDependencyUnavailable,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

/** The JSON error body of API.md. */
export const httpErrorBodySchema = z.object({
  statusCode: z.number().int().describe('The HTTP status, repeated'),
  code: z.string().describe('Stable machine code: switch on it (`VALIDATION_FAILED`, …)'),
  message: z.string().describe('For people; may change'),
  request_id: z.string().describe('Also in the `X-Request-ID` header; quote it in a report'),
  details: z
    .unknown()
    .optional()
    .describe('More about the failure, e.g. each field that failed: `[{field, message}]`'),
});
export type HttpErrorBody = z.output<typeof httpErrorBodySchema> & ErrorBody;

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MALFORMED_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MALFORMED_JSON,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_FAILED,
  FST_ERR_BAD_URL: ErrorCode.MALFORMED_URL,
  FST_ERR_MAX_PARAM_LENGTH: ErrorCode.URI_TOO_LONG,
};

/** @fastify/multipart's limits answer 413 by default; here they are a bad request. */
const MULTIPART_CODES: Record<string, ErrorCode> = {
  FST_PARTS_LIMIT: ErrorCode.TOO_MANY_PARTS,
  FST_FILES_LIMIT: ErrorCode.TOO_MANY_PARTS,
  FST_FIELDS_LIMIT: ErrorCode.TOO_MANY_PARTS,
  FST_PROTO_VIOLATION: ErrorCode.VALIDATION_FAILED,
  FST_MP_PREMATURE_CLOSE: ErrorCode.MALFORMED_MULTIPART,
  FST_INVALID_MULTIPART_CONTENT_TYPE: ErrorCode.MALFORMED_MULTIPART,
};

const CODES_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.ROUTE_NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  408: ErrorCode.REQUEST_TIMEOUT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  414: ErrorCode.URI_TOO_LONG,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  431: ErrorCode.HEADERS_TOO_LARGE,
};

/**
 * Turns anything thrown while serving a request into a status and error body. Expected
 * errors keep their stable code; unexpected ones are logged with an id that the client
 * gets back, and nothing else of them leaks.
 */
export function toHttpError(error: unknown, requestId: string, logger: Logger): HttpErrorBody {
  const known = describeKnownError(error);
  if (known) {
    return { ...known.body, statusCode: known.status, request_id: requestId };
  }
  const errorId = randomUUID();
  logger.error({ err: error, error_id: errorId, request_id: requestId }, 'unhandled error');
  return {
    statusCode: 500,
    code: ErrorCode.INTERNAL_ERROR,
    message: 'Internal error',
    request_id: requestId,
    details: { error_id: errorId },
  };
}

export function describeKnownError(
  error: unknown,
): { status: number; body: ErrorBody } | undefined {
  if (error instanceof DomainError) {
    return { status: error.status, body: error.toBody() };
  }
  if (error instanceof HttpException) {
    // Nest wraps Fastify's own errors (malformed JSON, body too large) and keeps them as cause.
    const fastifyCode = (error.cause as { code?: string } | undefined)?.code;
    return describeClientError(error.getStatus(), fastifyCode, messageOf(error));
  }
  const raw = error as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (typeof raw?.code === 'string' && MULTIPART_CODES[raw.code]) {
    const code = MULTIPART_CODES[raw.code];
    return { status: httpStatusFor(code), body: { code, message: String(raw.message) } };
  }
  // Fastify's own errors that reach us unwrapped (framework errors, plugins): they carry a
  // 4xx statusCode and an FST_ code, and a message safe to show.
  if (typeof raw?.statusCode === 'number' && typeof raw.code === 'string') {
    return describeClientError(raw.statusCode, raw.code, String(raw.message));
  }
  if (isDependencyUnavailable(error)) {
    const code = ErrorCode.SERVICE_UNAVAILABLE;
    return { status: 503, body: { code, message: 'a dependency is unavailable; retry shortly' } };
  }
  return undefined;
}

/** A 4xx with the most precise stable code known for it; anything else is not a client error. */
function describeClientError(
  status: number,
  fastifyCode: string | undefined,
  message: string,
): { status: number; body: ErrorBody } | undefined {
  const code =
    (fastifyCode && FASTIFY_CODES[fastifyCode]) ||
    CODES_BY_STATUS[status] ||
    (status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST : undefined);
  return code ? { status, body: { code, message } } : undefined;
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') {
    return response;
  }
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
}
