import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import {
  TransportClientModule,
  pingControllerFor,
  transportOptionsFrom,
} from '@tenantbot/transport';
import { LoginThrottle } from '@tenantbot/rate-limit';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ApiKeyRepository } from './api-key/api-key.repository';
import { ApiKeyService } from './api-key/api-key.service';
import { AuthService } from './auth/auth.service';
import { RefreshTokenRepository } from './auth/refresh-token.repository';
import { SuperAdminBootstrap } from './auth/super-admin.bootstrap';
import { TENANTS_CONFIG, type TenantsConfig } from './config';
import { DnsTxtVerifier } from './domain/dns-txt-verifier';
import { DomainPolicy } from './domain/domain-policy';
import { DomainService } from './domain/domain.service';
import { AccessChanges } from './events/access-changes';
import { EventOutbox } from './events/event-outbox';
import { TenantRepository } from './tenant/tenant.repository';
import { TenantService } from './tenant/tenant.service';
import { StatsService } from './stats/stats.service';
import { TenantsController } from './tenants.controller';
import { LOGGER } from './tokens';
import { UserRepository } from './user/user.repository';
import { UserService } from './user/user.service';
import { WidgetController } from './widget/widget.controller';
import { WidgetRepository } from './widget/widget.repository';
import { WidgetService } from './widget/widget.service';

@Module({})
export class TenantsModule implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  static register(config: TenantsConfig, logger: Logger): DynamicModule {
    return {
      module: TenantsModule,
      imports: [
        TransportClientModule.register({
          name: 'tenants',
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      controllers: [pingControllerFor('tenants'), TenantsController, WidgetController],
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
        {
          provide: Redis,
          useFactory: () => {
            const redis = new Redis(config.REDIS_URL, {
              password: config.REDIS_PASSWORD,
              maxRetriesPerRequest: 1,
            });
            redis.on('error', (error: Error) =>
              logger.warn({ err: error }, 'redis connection error'),
            );
            return redis;
          },
        },
        {
          provide: LoginThrottle,
          useFactory: (redis: Redis) =>
            new LoginThrottle(redis, {
              keyPrefix: config.REDIS_PREFIX,
              failuresPerIp: config.LOGIN_FAILURES_PER_IP,
              ipWindowSeconds: config.LOGIN_IP_WINDOW_S,
              failuresPerAccountAndIp: config.LOGIN_FAILURES_PER_ACCOUNT_AND_IP,
              blockSeconds: config.LOGIN_BLOCK_S,
            }),
          inject: [Redis],
        },
        { provide: DomainPolicy, useValue: DomainPolicy.fromConfig(config) },
        { provide: DnsTxtVerifier, useValue: new DnsTxtVerifier(config.DNS_RESOLVER) },
        DomainService,
        TenantRepository,
        UserRepository,
        RefreshTokenRepository,
        ApiKeyRepository,
        AuthService,
        TenantService,
        UserService,
        ApiKeyService,
        EventOutbox,
        AccessChanges,
        SuperAdminBootstrap,
        StatsService,
        WidgetRepository,
        WidgetService,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    await this.dataSource.destroy();
  }
}
