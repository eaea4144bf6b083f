import {
  DomainError,
  type ErrorBody,
  ErrorCode,
  isDependencyUnavailable,
  isErrorBody,
} from '@tenantbot/contracts';
import type { RequestContext } from '@tenantbot/tenant-context';

/** A request or event as stored in a stream entry's single field `m`. */
export interface RequestEnvelope {
  id: string;
  pattern: string;
  data: unknown;
  /** The caller's reply stream; absent for events. */
  replyTo?: string;
  /** Epoch ms after which nobody waits for the answer. */
  deadline?: number;
  context?: RequestContext;
}

/** One message back to the caller: a value, an error, or the end of the reply. */
export interface ReplyEnvelope {
  id: string;
  response?: unknown;
  err?: ErrorBody;
  isDisposed?: boolean;
  /** The consumer that produced it: a streamed reply must come from one replica only. */
  by: string;
}

export const FIELD = 'm';

export function encode(envelope: RequestEnvelope | ReplyEnvelope): string {
  return JSON.stringify(envelope);
}

export function decodeEntry<T>(fields: string[]): T | undefined {
  const index = fields.indexOf(FIELD);
  if (index < 0 || index + 1 >= fields.length) {
    return undefined;
  }
  try {
    return JSON.parse(fields[index + 1]) as T;
  } catch {
    return undefined;
  }
}

/** What a handler's failure looks like on the wire: domain errors keep their code. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) {
    return error.toBody();
  }
  if (isErrorBody(error)) {
    return { code: error.code, message: error.message, details: error.details };
  }
  if (isDependencyUnavailable(error)) {
    return { code: ErrorCode.SERVICE_UNAVAILABLE, message: 'a dependency is unavailable' };
  }
  return { code: ErrorCode.INTERNAL_ERROR, message: 'Internal error' };
}

export function transportError(code: ErrorCode, message: string): ErrorBody {
  return { code, message };
}
