import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { StatsHandler } from './stats.handler';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

/** Tenants by plan and users by role, for the admin service's reports. */
@Module({
  // The super admin's platform counts.
  imports: [PlatformDatabaseModule],
  controllers: [StatsHandler],
  providers: [StatsService, StatsRepository],
})
export class StatsModule {}
