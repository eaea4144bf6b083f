import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { loadConfigOrExit } from '@tenantbot/config';
import {
  createLogger,
  exitOnStartupFailure,
  guardProcess,
  PinoNestLogger,
} from '@tenantbot/observability';

import { GatewayModule } from './app.module';
import { gatewayConfigSchema } from './config';
import { drainOnSignals } from './http/graceful-shutdown';
import { HttpMetrics } from './http/http-metrics';
import { configureHttpServer, gatewayHttpAdapter } from './http/http-server';
import { openApiOptionsFrom, setUpOpenApi } from './openapi/openapi';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const metrics = new HttpMetrics();
  guardProcess(logger, { registry: metrics.registry });
  const runtime = { config, logger, metrics };
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register(runtime),
    gatewayHttpAdapter(runtime),
    { logger: new PinoNestLogger(logger) },
  );
  await configureHttpServer(app, runtime);
  setUpOpenApi(app, openApiOptionsFrom(config));
  drainOnSignals(app, logger, {
    drainMs: config.SHUTDOWN_DRAIN_MS,
    lingerMs: config.SHUTDOWN_LINGER_MS,
  });
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT }, `gateway listening on http://${config.HOST}:${config.PORT}`);
}

bootstrap().catch(exitOnStartupFailure);
