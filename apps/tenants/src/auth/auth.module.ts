import { Module } from '@nestjs/common';
import { Redis } from 'ioredis';

import { PlatformDatabaseModule } from '@tenantbot/database';
import { LoginThrottle } from '@tenantbot/rate-limit';

import { ApiKeyModule } from '../api-key/api-key.module';
import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { SessionModule } from '../session/session.module';
import { TenantModule } from '../tenant/tenant.module';
import { UserModule } from '../user/user.module';
import { AuthHandler } from './auth.handler';
import { AuthService } from './auth.service';
import { SuperAdminBootstrap } from './super-admin.bootstrap';

/** Logins, sessions and the check of every request's credential; the first super admin. */
@Module({
  // Credentials name their tenant only once found (a slug, a Host, a key's prefix, a token).
  imports: [PlatformDatabaseModule, SessionModule, UserModule, TenantModule, ApiKeyModule],
  controllers: [AuthHandler],
  providers: [
    AuthService,
    SuperAdminBootstrap,
    {
      provide: LoginThrottle,
      useFactory: (redis: Redis, config: TenantsConfig) =>
        new LoginThrottle(redis, {
          keyPrefix: config.REDIS_PREFIX,
          failuresPerIp: config.LOGIN_FAILURES_PER_IP,
          ipWindowSeconds: config.LOGIN_IP_WINDOW_S,
          failuresPerAccountAndIp: config.LOGIN_FAILURES_PER_ACCOUNT_AND_IP,
          blockSeconds: config.LOGIN_BLOCK_S,
        }),
      inject: [Redis, TENANTS_CONFIG],
    },
  ],
})
export class AuthModule {}
