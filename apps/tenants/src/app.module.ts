import { type DynamicModule, Module } from '@nestjs/common';

import type { Logger } from '@tenantbot/observability';

import { ApiKeyModule } from './api-key/api-key.module';
import { AuthModule } from './auth/auth.module';
import type { TenantsConfig } from './config';
import { DomainModule } from './domain/domain.module';
import { HealthModule } from './health/health.module';
import { PlatformModule } from './platform/platform.module';
import { RegistrationModule } from './registration/registration.module';
import { RuntimeModule } from './runtime/runtime.module';
import { StatsModule } from './stats/stats.module';
import { TenantModule } from './tenant/tenant.module';
import { UserModule } from './user/user.module';
import { WebhookModule } from './webhook/webhook.module';
import { WidgetModule } from './widget/widget.module';

/** The tenants service: one module per feature, on the process's shared runtime. */
@Module({})
export class TenantsModule {
  static register(config: TenantsConfig, logger: Logger): DynamicModule {
    return {
      module: TenantsModule,
      imports: [
        RuntimeModule.forRoot(config, logger),
        HealthModule,
        AuthModule,
        TenantModule,
        RegistrationModule,
        DomainModule,
        UserModule,
        ApiKeyModule,
        WidgetModule,
        StatsModule,
        PlatformModule,
        WebhookModule,
      ],
    };
  }
}
