import { Module } from '@nestjs/common';

import { TenantModule } from '../tenant/tenant.module';
import { WidgetHandler } from './widget.handler';
import { WidgetRepository } from './widget.repository';
import { WidgetService } from './widget.service';

/** The web channel's widgets: managed by tenant admins, opened by browsers. */
@Module({
  imports: [TenantModule],
  controllers: [WidgetHandler],
  providers: [WidgetService, WidgetRepository],
})
export class WidgetModule {}
