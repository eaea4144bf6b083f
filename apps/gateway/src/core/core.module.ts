import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

import type { Logger } from '@tenantbot/observability';
import { TransportClientModule, transportOptionsFrom } from '@tenantbot/transport';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { HttpMetrics } from '../http/http-metrics';
import { RouteTable } from '../http/pre-routing-errors';
import { LOGGER } from '../tokens';

/** What main.ts makes before Nest starts (it logs and counts the start-up itself). */
export interface GatewayRuntime {
  config: GatewayConfig;
  logger: Logger;
  metrics: HttpMetrics;
}

/**
 * The process-wide things every feature may inject: the validated config (GATEWAY_CONFIG),
 * the logger (LOGGER), the metrics, the Redis connection of the limits, the routes served and
 * the transport client.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  static register({ config, logger, metrics }: GatewayRuntime): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TransportClientModule.register({
          name: 'gateway',
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: HttpMetrics, useValue: metrics },
        { provide: Redis, useFactory: () => connectRedis(config, logger) },
        RouteTable,
      ],
      exports: [GATEWAY_CONFIG, LOGGER, HttpMetrics, Redis, RouteTable],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

function connectRedis(config: GatewayConfig, logger: Logger): Redis {
  const redis = new Redis(config.REDIS_URL, {
    password: config.REDIS_PASSWORD,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  return redis;
}
