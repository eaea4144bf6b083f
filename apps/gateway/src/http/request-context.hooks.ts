import { randomUUID } from 'node:crypto';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { Logger } from '@tenantbot/observability';
import type { RequestContext } from '@tenantbot/tenant-context';

import type { HttpMetrics } from './http-metrics';

declare module 'fastify' {
  interface FastifyRequest {
    requestContext: RequestContext;
  }
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a well-formed X-Request-ID from the client (a proxy's), otherwise makes one. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }) {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Every response carries X-Request-ID; every request gets a context (filled in by auth) and
 * one structured access-log line and metrics sample when it ends.
 */
export function installRequestHooks(
  fastify: FastifyInstance,
  logger: Logger,
  metrics: HttpMetrics,
) {
  fastify.decorateRequest('requestContext', undefined as unknown as RequestContext);
  fastify.addHook('onRequest', (request, reply, done) => {
    request.requestContext = { requestId: request.id };
    void reply.header('X-Request-ID', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const seconds = reply.elapsedTime / 1000;
    metrics.observe(request.method, route, reply.statusCode, seconds);
    logger.info(
      {
        request_id: request.id,
        tenant_id: request.requestContext?.tenantId,
        method: request.method,
        route,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });
}

/** The route pattern, not the raw URL, so metrics stay bounded. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions?.url ?? 'unmatched';
}
