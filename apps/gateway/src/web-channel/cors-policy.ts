import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Logger } from '@tenantbot/observability';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../tokens';
import { OriginDirectory } from './origin-directory';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the request's tenant or widget decided whether its Origin may read the answer. */
    corsDecided?: boolean;
  }
}

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, X-Tenant-ID, Content-Type, Idempotency-Key';
const EXPOSED_HEADERS =
  'X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After';

/**
 * CORS per tenant. Once a request is resolved, its Origin must be one of the tenant's
 * `allowed_origins` (a visitor's: the widget's), which `decideCors` applies. Before that —
 * preflights, which carry no credentials, and public routes — an origin is allowed when any
 * active tenant or widget allows it, or it is the console's. Allowed origins are echoed, never
 * `*`, and no credentials mode is offered: the API takes Bearer tokens, not cookies. Refused
 * origins get no CORS headers (the browser blocks the page) and a log line.
 */
@Injectable()
export class CorsPolicy {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly origins: OriginDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', async (request, reply) => {
      const origin = originOf(request);
      if (!origin || request.method !== 'OPTIONS') {
        return;
      }
      if (!request.headers['access-control-request-method']) {
        return;
      }
      void reply.header('Vary', 'Origin');
      if (await this.knownOrigin(origin)) {
        void reply
          .header('Access-Control-Allow-Origin', origin)
          .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
          .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
          .header('Access-Control-Max-Age', String(this.config.CORS_MAX_AGE_S));
      } else {
        this.refused(request, origin, 'preflight');
      }
      return reply.code(204).send();
    });
    fastify.addHook('onSend', async (request, reply, payload) => {
      const origin = originOf(request);
      if (!origin || request.corsDecided || request.method === 'OPTIONS') {
        return payload;
      }
      decideCors(request, reply, (await this.knownOrigin(origin)) ? [origin] : [], this.logger);
      return payload;
    });
  }

  private async knownOrigin(origin: string): Promise<boolean> {
    try {
      return await this.origins.isKnown(origin);
    } catch (error) {
      this.logger.warn({ err: error, origin }, 'cors: the origin lookup failed; refusing');
      return false;
    }
  }

  private refused(request: FastifyRequest, origin: string, kind: string): void {
    this.logger.info(
      { request_id: request.id, origin, route: request.url.split('?')[0], kind },
      'cors: origin not allowed',
    );
  }
}

/**
 * Answers CORS for a resolved request: its Origin may read the answer when listed in
 * `allowedOrigins` or is the console's. Call it before the reply is sent (or hijacked, as SSE).
 */
export function decideCors(
  request: FastifyRequest,
  reply: FastifyReply,
  allowedOrigins: readonly string[],
  logger: Logger,
  consoleOrigins: readonly string[] = [],
): void {
  const origin = originOf(request);
  request.corsDecided = true;
  if (!origin) {
    return;
  }
  void reply.header('Vary', 'Origin');
  const allowed = [...allowedOrigins, ...consoleOrigins].some(
    (candidate) => candidate.toLowerCase() === origin,
  );
  if (!allowed) {
    logger.info(
      { request_id: request.id, origin, route: request.url.split('?')[0], kind: 'request' },
      'cors: origin not allowed',
    );
    return;
  }
  void reply
    .header('Access-Control-Allow-Origin', origin)
    .header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin.toLowerCase() : undefined;
}
