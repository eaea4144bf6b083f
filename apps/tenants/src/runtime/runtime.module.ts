import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

import { DatabaseModule, databaseOptionsFrom } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import { TransportClientModule, transportOptionsFrom } from '@tenantbot/transport';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { LOGGER } from '../tokens';

/**
 * What every feature of the process shares: its settings and logger (by typed tokens), the
 * tenant-scoped database, Redis and the transport client. Built once from the validated
 * configuration. Crossing tenants is not here: the features that must import
 * `PlatformDatabaseModule` themselves.
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  static forRoot(config: TenantsConfig, logger: Logger): DynamicModule {
    return {
      module: RuntimeModule,
      imports: [
        DatabaseModule.forRoot(databaseOptionsFrom(config, 'tenantbot-tenants')),
        TransportClientModule.register({
          name: 'tenants',
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      providers: [
        { provide: TENANTS_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Redis, useFactory: () => connectRedis(config, logger) },
      ],
      exports: [TENANTS_CONFIG, LOGGER, Redis],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

function connectRedis(config: TenantsConfig, logger: Logger): Redis {
  const redis = new Redis(config.REDIS_URL, {
    password: config.REDIS_PASSWORD,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  return redis;
}
