import { ErrorCode, type OpenAiErrorBody } from '@tenantbot/contracts';

import type { HttpErrorBody } from '../http/error-response';

/** The paths of the OpenAI-compatible API, whose errors take OpenAI's shape. */
export const OPENAI_PATH_PREFIX = '/v1/';

export function isOpenAiPath(url: string): boolean {
  return url.startsWith(OPENAI_PATH_PREFIX);
}

/** OpenAI's own code where one means the same thing; else tenantbot's stable code. */
const OPENAI_CODES: Partial<Record<string, string>> = {
  [ErrorCode.UNAUTHORIZED]: 'invalid_api_key',
  [ErrorCode.RATE_LIMITED]: 'rate_limit_exceeded',
  [ErrorCode.BUDGET_EXCEEDED]: 'insufficient_quota',
  [ErrorCode.UNKNOWN_MODEL]: 'model_not_found',
  [ErrorCode.MODEL_NOT_ALLOWED]: 'model_not_found',
};

/** OpenAI answers an exhausted quota with 429, which its clients know; tenantbot says 402. */
const OPENAI_STATUSES: Partial<Record<string, number>> = {
  [ErrorCode.BUDGET_EXCEEDED]: 429,
};

export interface OpenAiHttpError {
  statusCode: number;
  body: OpenAiErrorBody;
}

/** Tenantbot's error body as OpenAI's: `{error: {message, type, code, param}}`. */
export function toOpenAiError(error: HttpErrorBody): OpenAiHttpError {
  const statusCode = OPENAI_STATUSES[error.code] ?? error.statusCode;
  return {
    statusCode,
    body: {
      error: {
        message: error.message,
        type: errorTypeOf(error.code, statusCode),
        code: OPENAI_CODES[error.code] ?? error.code,
        param: paramOf(error),
      },
    },
  };
}

function errorTypeOf(code: string, status: number): string {
  if (code === ErrorCode.BUDGET_EXCEEDED) {
    return 'insufficient_quota';
  }
  if (status === 401) {
    return 'authentication_error';
  }
  if (status === 403) {
    return 'permission_error';
  }
  if (status === 404 && code !== ErrorCode.ROUTE_NOT_FOUND) {
    return 'not_found_error';
  }
  if (status === 429) {
    return 'rate_limit_error';
  }
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

/** The field a validation error names first, or the model an unknown model error is about. */
function paramOf(error: HttpErrorBody): string | null {
  if (error.code === ErrorCode.UNKNOWN_MODEL || error.code === ErrorCode.MODEL_NOT_ALLOWED) {
    return 'model';
  }
  const problems = error.details;
  if (Array.isArray(problems)) {
    const field = (problems[0] as { field?: unknown } | undefined)?.field;
    return typeof field === 'string' && field.length > 0 ? field : null;
  }
  return null;
}
