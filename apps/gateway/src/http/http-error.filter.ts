import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ErrorCode } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { isOpenAiPath, toOpenAiError } from '../openai/openai-errors';
import { setHeaders } from '../rate-limit/rate-limit.guard';
import { LOGGER } from '../tokens';
import { type HttpErrorBody, toHttpError } from './error-response';
import { RouteTable } from './pre-routing-errors';

/**
 * One place where every error of a route becomes the JSON error body of API.md (OpenAI's
 * error shape under `/v1/`, the OpenAI-compatible API).
 */
@Catch()
@Injectable()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routes: RouteTable,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = toHttpError(exception, request.id, this.logger);
    const body =
      error.code === ErrorCode.ROUTE_NOT_FOUND
        ? (this.methodNotAllowed(request, reply) ?? error)
        : error;
    const limit = body.details as
      { retry_after_s?: number; limit?: number; reset_s?: number } | undefined;
    if (limit?.retry_after_s) {
      void reply.header('Retry-After', String(limit.retry_after_s));
    }
    if (limit?.limit !== undefined && limit.reset_s !== undefined) {
      setHeaders(reply, { limit: limit.limit, remaining: 0, resetSeconds: limit.reset_s });
    }
    if (isOpenAiPath(request.url)) {
      const openAi = toOpenAiError(body);
      void reply.status(openAi.statusCode).send(openAi.body);
      return;
    }
    void reply.status(body.statusCode).send(body);
  }

  /**
   * No route matched the request, but the path is served under other methods: 405. (A body
   * that failed to parse on the way to the not-found handler keeps its own error.)
   */
  private methodNotAllowed(
    request: FastifyRequest,
    reply: FastifyReply,
  ): HttpErrorBody | undefined {
    if (request.routeOptions?.url) {
      return undefined;
    }
    const allowed = this.routes.methodsOf(request.url);
    if (allowed.length === 0) {
      return undefined;
    }
    void reply.header('Allow', allowed.join(', '));
    return {
      statusCode: 405,
      code: ErrorCode.METHOD_NOT_ALLOWED,
      message: `${request.method} is not allowed here; use ${allowed.join(', ')}`,
      request_id: request.id,
    };
  }
}
