import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@tenantbot/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './error-response';

/** One place where every error of a route becomes the JSON error body of API.md. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toHttpError(exception, request.id, this.logger);
    const retryAfter = (body.details as { retry_after_s?: number } | undefined)?.retry_after_s;
    if (retryAfter) void reply.header('Retry-After', String(retryAfter));
    void reply.status(body.statusCode).send(body);
  }
}
