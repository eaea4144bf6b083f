import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { TenantModule } from '../tenant/tenant.module';
import { WidgetHandler } from './widget.handler';
import { WidgetRepository } from './widget.repository';
import { WidgetService } from './widget.service';

/** The web channel's widgets: managed by tenant admins, opened by browsers. */
@Module({
  // A public key or an Origin names no tenant until it is found.
  imports: [PlatformDatabaseModule, TenantModule],
  controllers: [WidgetHandler],
  providers: [WidgetService, WidgetRepository],
})
export class WidgetModule {}
