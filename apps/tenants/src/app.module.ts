import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import {
  TransportClientModule,
  pingControllerFor,
  transportOptionsFrom,
} from '@tenantbot/transport';
import { DataSource } from 'typeorm';
import { ApiKeyRepository } from './api-key/api-key.repository';
import { ApiKeyService } from './api-key/api-key.service';
import { AuthService } from './auth/auth.service';
import { RefreshTokenRepository } from './auth/refresh-token.repository';
import { SuperAdminBootstrap } from './auth/super-admin.bootstrap';
import { TENANTS_CONFIG, type TenantsConfig } from './config';
import { AccessChanges } from './events/access-changes';
import { EventOutbox } from './events/event-outbox';
import { TenantRepository } from './tenant/tenant.repository';
import { TenantService } from './tenant/tenant.service';
import { StatsService } from './stats/stats.service';
import { TenantsController } from './tenants.controller';
import { LOGGER } from './tokens';
import { UserRepository } from './user/user.repository';
import { UserService } from './user/user.service';

@Module({})
export class TenantsModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

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
      controllers: [pingControllerFor('tenants'), TenantsController],
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
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dataSource.destroy();
  }
}
