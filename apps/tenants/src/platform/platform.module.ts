import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { PlatformHandler } from './platform.handler';
import { PlatformRepository } from './platform.repository';
import { PlatformService } from './platform.service';

/** The super admin's views across companies: users, and companies' names for other services' views. */
@Module({
  imports: [PlatformDatabaseModule],
  controllers: [PlatformHandler],
  providers: [PlatformService, PlatformRepository],
})
export class PlatformModule {}
