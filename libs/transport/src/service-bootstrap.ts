import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { type Logger, PinoNestLogger } from '@tenantbot/observability';

import type { StreamsServerOptions } from './options';
import { RpcErrorFilter } from './rpc-error.filter';
import { RedisStreamsServer } from './streams.server';

/**
 * Starts a service as a Nest microservice on the Redis Streams transport, with the error
 * filter every service needs and a graceful stop on SIGTERM/SIGINT (requests in flight first).
 */
export async function startService(
  module: Type<unknown> | DynamicModule,
  options: StreamsServerOptions & { logger: Logger },
): Promise<INestMicroservice> {
  const server = new RedisStreamsServer(options);
  const app = await NestFactory.createMicroservice(module, {
    strategy: server,
    logger: new PinoNestLogger(options.logger),
  });
  app.useGlobalFilters(new RpcErrorFilter(options.logger));
  closeGracefullyOnSignals(app, server, options.logger);
  await app.listen();
  options.logger.info({ consumer: server.consumer }, `${options.service} service is listening`);
  return app;
}

/**
 * SIGTERM/SIGINT: first the transport stops reading and lets the requests and streams in flight
 * finish, then the app closes. Nest's shutdown hooks alone would close the providers (database
 * pools, Chroma, queues) before the transport, under the requests still running.
 */
function closeGracefullyOnSignals(
  app: INestMicroservice,
  server: RedisStreamsServer,
  logger: Logger,
): void {
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) {
      return;
    }
    closing = true;
    logger.info({ signal }, 'draining the requests in flight');
    void server
      .close()
      .then(() => app.close())
      .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
