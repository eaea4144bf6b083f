import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@tenantbot/observability';
import {
  TransportClientModule,
  pingControllerFor,
  transportOptionsFrom,
} from '@tenantbot/transport';
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
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      controllers: [pingControllerFor('admin'), AdminController],
      providers: [ReportsService],
    };
  }
}
