import { Module } from '@nestjs/common';

import { RefreshTokenRepository } from './refresh-token.repository';
import { SessionTokens } from './session-tokens';

/** Login sessions: issuing tokens, and the refresh tokens that renew and end them. */
@Module({
  providers: [RefreshTokenRepository, SessionTokens],
  exports: [RefreshTokenRepository, SessionTokens],
})
export class SessionModule {}
