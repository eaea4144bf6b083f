import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { DomainModule } from '../domain/domain.module';
import { EventsModule } from '../events/events.module';
import { TenantHandler } from './tenant.handler';
import { TenantRepository } from './tenant.repository';
import { TenantService } from './tenant.service';

/** Tenants and their settings. Other features read tenants through its repository. */
@Module({
  // The super admin's list of every tenant.
  imports: [PlatformDatabaseModule, DomainModule, EventsModule],
  controllers: [TenantHandler],
  providers: [TenantService, TenantRepository],
  exports: [TenantRepository],
})
export class TenantModule {}
