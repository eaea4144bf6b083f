import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';

import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import { TransportClientModule, transportOptionsFrom } from '@tenantbot/transport';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { LOGGER } from '../tokens';

/**
 * What every feature of the process shares: its settings and logger (by typed tokens), the
 * database, Redis and the transport client. Built once from the validated configuration.
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
  ) {}

  static forRoot(config: TenantsConfig, logger: Logger): DynamicModule {
    return {
      module: RuntimeModule,
      imports: [
        TransportClientModule.register({
          name: 'tenants',
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      providers: [
        { provide: TENANTS_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: DataSource,
          useFactory: () =>
            createDataSource({
              url: appConnectionUrl(config),
              poolSize: config.DATABASE_POOL_SIZE,
              applicationName: 'tenantbot-tenants',
            }).initialize(),
        },
        {
          provide: TenantScope,
          useFactory: (dataSource: DataSource) => new TenantScope(dataSource),
          inject: [DataSource],
        },
        { provide: Redis, useFactory: () => connectRedis(config, logger) },
      ],
      exports: [TENANTS_CONFIG, LOGGER, DataSource, TenantScope, Redis],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    await this.dataSource.destroy();
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
