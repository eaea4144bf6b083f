import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { StatsHandler } from './stats.handler';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

/** Counts for the admin service; the super admin's platform view crosses tenants. */
@Module({
  imports: [PlatformDatabaseModule],
  controllers: [StatsHandler],
  providers: [StatsService, StatsRepository],
})
export class StatsModule {}
