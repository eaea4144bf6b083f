import { Module } from '@nestjs/common';

import { SessionModule } from '../session/session.module';
import { TenantModule } from '../tenant/tenant.module';
import { UserModule } from '../user/user.module';
import { RegistrationHandler } from './registration.handler';
import { RegistrationService } from './registration.service';

/** Self-service sign-up of a company: its tenant, its first admin, a session. */
@Module({
  imports: [TenantModule, UserModule, SessionModule],
  controllers: [RegistrationHandler],
  providers: [RegistrationService],
})
export class RegistrationModule {}
