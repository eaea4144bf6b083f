import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { UsageHandler } from './usage.handler';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** The admin's reports on chat; the super admin's platform view crosses tenants. */
@Module({
  imports: [PlatformDatabaseModule],
  controllers: [UsageHandler],
  providers: [UsageRepository, UsageService],
})
export class UsageModule {}
