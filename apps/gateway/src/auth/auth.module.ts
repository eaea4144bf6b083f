import { Module } from '@nestjs/common';

import { AuthController } from './auth.controller';
import { Authenticator } from './authenticator';
import { OpenStreamRecheck } from './open-stream-recheck';

/** Logins and tokens, and who a credential is: for every route, socket and open stream. */
@Module({
  controllers: [AuthController],
  providers: [Authenticator, OpenStreamRecheck],
  exports: [Authenticator, OpenStreamRecheck],
})
export class AuthModule {}
