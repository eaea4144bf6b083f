import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@tenantbot/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './error-response';
import { setHeaders } from '../rate-limit/rate-limit.guard';

/** One place where every error of a route becomes the JSON error body of API.md. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toHttpError(exception, request.id, this.logger);
    const limit = body.details as
      { retry_after_s?: number; limit?: number; reset_s?: number } | undefined;
    if (limit?.retry_after_s) void reply.header('Retry-After', String(limit.retry_after_s));
    if (limit?.limit !== undefined && limit.reset_s !== undefined) {
      setHeaders(reply, { limit: limit.limit, remaining: 0, resetSeconds: limit.reset_s });
    }
    void reply.status(body.statusCode).send(body);
  }
}
