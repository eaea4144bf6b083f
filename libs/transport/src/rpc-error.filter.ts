import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { DomainError, ErrorCode, isErrorBody, type ErrorBody } from '@tenantbot/contracts';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { throwError, type Observable } from 'rxjs';

/**
 * Replies to a failed message with its error body. Domain errors keep their code; anything
 * else is logged with an id and answered as INTERNAL_ERROR carrying only that id.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown): Observable<never> {
    return throwError(() => this.toBody(exception));
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) return exception.toBody();
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isErrorBody(error)) return error;
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
