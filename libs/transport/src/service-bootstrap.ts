import type { DynamicModule, INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, type Logger } from '@tenantbot/observability';
import type { StreamsServerOptions } from './options';
import { RpcErrorFilter } from './rpc-error.filter';
import { RedisStreamsServer } from './streams.server';

/**
 * Starts a service as a Nest microservice on the Redis Streams transport, with the error
 * filter every service needs and a graceful stop on SIGTERM/SIGINT.
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
  app.enableShutdownHooks();
  await app.listen();
  options.logger.info({ consumer: server.consumer }, `${options.service} service is listening`);
  return app;
}
