import { randomUUID } from 'node:crypto';

import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';

import {
  DomainError,
  type ErrorBody,
  ErrorCode,
  isDependencyUnavailable,
  isErrorBody,
} from '@tenantbot/contracts';

/** PostgreSQL, Redis or Chroma out of reach: a 503 the caller may retry, not a 500. */
export function dependencyUnavailable(): ErrorBody {
  return {
    code: ErrorCode.SERVICE_UNAVAILABLE,
    message: 'a dependency of the service is unavailable; retry shortly',
  };
}

/**
 * Replies to a failed message with its error body. Domain errors keep their code; anything
 * that says a dependency is out of reach is SERVICE_UNAVAILABLE; anything else is logged with
 * an id and answered as INTERNAL_ERROR carrying only that id.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown): Observable<never> {
    return throwError(() => this.toBody(exception));
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return exception.toBody();
    }
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isErrorBody(error)) {
        return error;
      }
    }
    if (isDependencyUnavailable(exception)) {
      this.logger.warn({ err: exception }, 'a dependency is unavailable');
      return dependencyUnavailable();
    }
    const errorId = randomUUID();
    this.logger.error(
      { err: exception, error_id: errorId },
      'unhandled error in a message handler',
    );
    return {
      code: ErrorCode.INTERNAL_ERROR,
      message: 'Internal error',
      details: { error_id: errorId },
    };
  }
}
