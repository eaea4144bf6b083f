import { type DynamicModule, Module } from '@nestjs/common';

import type { Logger } from '@tenantbot/observability';

import type { AdminConfig } from './config';
import { CoreModule } from './core/core.module';
import { HealthModule } from './health/health.module';
import { ReportsModule } from './reports/reports.module';

/**
 * The admin service: the reports of tenant admins and the super admin. It keeps no data and
 * reads no table: the services that own the data answer its questions over the transport.
 */
@Module({})
export class AdminModule {
  static register(config: AdminConfig, logger: Logger): DynamicModule {
    return {
      module: AdminModule,
      imports: [CoreModule.register(config, logger), HealthModule, ReportsModule],
    };
  }
}
