import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { RefreshTokenRepository } from './refresh-token.repository';
import { SessionTokens } from './session-tokens';

/** Login sessions: issuing tokens, and the refresh tokens that renew and end them. */
@Module({
  // A refresh token names neither tenant nor user until it is found; the super admin has no tenant.
  imports: [PlatformDatabaseModule],
  providers: [RefreshTokenRepository, SessionTokens],
  exports: [RefreshTokenRepository, SessionTokens],
})
export class SessionModule {}
