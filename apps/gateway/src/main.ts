import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigOrExit } from '@tenantbot/config';
import {
  createLogger,
  exitOnStartupFailure,
  guardProcess,
  PinoNestLogger,
} from '@tenantbot/observability';
import { GatewayModule } from './app.module';
import { gatewayConfigSchema } from './config';
import { HttpMetrics } from './http/http-metrics';
import { installRequestHooks, requestIdOf } from './http/request-context.hooks';
import { preRoutingErrorOptions, refuseLongUrls, RouteTable } from './http/pre-routing-errors';
import { setUpOpenApi } from './openapi';
import multipart from '@fastify/multipart';
import { ChatSocket } from './chat/chat-socket';
import { RedisStreamsClient } from '@tenantbot/transport';
import { SocketSessions } from './websocket/socket-sessions';
import { UpgradeRouter } from './websocket/upgrade-router';
import { CorsPolicy } from './web-channel/cors-policy';
import { OriginDirectory } from './web-channel/origin-directory';
import { VisitorSocketChannel } from './web-channel/visitor-socket-channel';
import { drainOnSignals } from './http/graceful-shutdown';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const metrics = new HttpMetrics();
  guardProcess(logger, { registry: metrics.registry });
  const routes = new RouteTable();
  const adapter = new FastifyAdapter({
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
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register(config, logger, metrics, routes),
    adapter,
    { logger: new PinoNestLogger(logger) },
  );
  const fastify = app.getHttpAdapter().getInstance();
  installRequestHooks(fastify, logger, metrics);
  refuseLongUrls(fastify, logger);
  routes.record(fastify);
  new CorsPolicy(config, app.get(OriginDirectory), logger).install(fastify);
  // One file per request, streamed: the size cap is enforced by the object storage as it writes.
  await app.register(multipart, {
    limits: { files: 1, fields: 5, parts: 6, fileSize: config.MAX_DOCUMENT_BYTES + 1 },
  });
  setUpOpenApi(app);
  const upgrades = new UpgradeRouter(app.getHttpServer(), logger, metrics);
  new ChatSocket(
    app.get(SocketSessions),
    app.get(RedisStreamsClient),
    metrics,
    logger,
    app.get(VisitorSocketChannel),
  ).attach(upgrades);
  drainOnSignals(app, logger, config.SHUTDOWN_DRAIN_MS);
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT }, `gateway listening on http://${config.HOST}:${config.PORT}`);
}

bootstrap().catch(exitOnStartupFailure);
