import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@tenantbot/observability';
import { TransportClientModule, pingControllerFor } from '@tenantbot/transport';
import { AdminController } from './admin.controller';
import type { AdminConfig } from './config';
import { ReportsService } from './reports/reports.service';

@Module({})
export class AdminModule {
  static register(config: AdminConfig, logger: Logger): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        TransportClientModule.register({
          name: 'admin',
          redisUrl: config.REDIS_URL,
          redisPassword: config.REDIS_PASSWORD,
          prefix: config.REDIS_PREFIX,
          timeoutMs: config.TRANSPORT_TIMEOUT_MS,
          claimIdleMs: config.TRANSPORT_CLAIM_IDLE_MS,
          logger,
        }),
      ],
      controllers: [pingControllerFor('admin'), AdminController],
      providers: [ReportsService],
    };
  }
}
