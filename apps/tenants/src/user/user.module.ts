import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { EventsModule } from '../events/events.module';
import { SessionModule } from '../session/session.module';
import { UserHandler } from './user.handler';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

/** Users of tenants and of the platform. Authentication reads them through its repository. */
@Module({
  // A super admin naming no tenant manages the users of the whole platform.
  imports: [PlatformDatabaseModule, SessionModule, EventsModule],
  controllers: [UserHandler],
  providers: [UserService, UserRepository],
  exports: [UserRepository],
})
export class UserModule {}
