import multipart from '@fastify/multipart';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';

import type { GatewayRuntime } from '../core/core.module';
import { CorsPolicy } from '../web-channel/cors-policy';
import { preRoutingErrorOptions, refuseLongUrls, RouteTable } from './pre-routing-errors';
import { installRequestHooks, requestIdOf } from './request-context.hooks';

/** The Fastify server of the gateway, as its options shape what fails before any route. */
export function gatewayHttpAdapter({ config, logger }: GatewayRuntime): FastifyAdapter {
  return new FastifyAdapter({
    ...preRoutingErrorOptions(logger),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdOf,
    // API.md writes collection routes with a trailing slash (`/api/v1/tenants/`); accept both.
    routerOptions: { ignoreTrailingSlash: true },
    logger: false,
    // While draining, requests already on open connections are served (Connection: close)
    // rather than refused with Fastify's code-less 503.
    return503OnClosing: false,
  });
}

/**
 * Fastify's JSON parser (prototype-poisoning checks included), except that an empty body is no
 * body: clients that label every request `application/json` send body-less POSTs and DELETEs.
 */
function lenientJson(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const strict = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    void strict(request, body.toString('utf8'), done);
  };
}

/**
 * The Fastify hooks and plugins of every request, installed before Nest registers the routes
 * (in `init` or `listen`): request ids and access logs, the URL cap, the 405 table, CORS,
 * and multipart uploads.
 */
export async function configureHttpServer(
  app: NestFastifyApplication,
  { config, logger, metrics }: GatewayRuntime,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  installRequestHooks(fastify, logger, metrics);
  refuseLongUrls(fastify, logger);
  app.get(RouteTable).record(fastify);
  app.get(CorsPolicy).install(fastify);
  app.useBodyParser(
    'application/json',
    { bodyLimit: config.BODY_LIMIT_BYTES },
    lenientJson(fastify),
  );
  // One file per request, streamed: the size cap is enforced by the object storage as it writes.
  await app.register(multipart, {
    limits: { files: 1, fields: 5, parts: 6, fileSize: config.MAX_DOCUMENT_BYTES + 1 },
  });
}
