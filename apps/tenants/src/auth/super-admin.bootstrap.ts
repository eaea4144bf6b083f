import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { PlatformScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { hashPassword } from '../security/passwords';
import { LOGGER } from '../tokens';
import { UserRepository } from '../user/user.repository';

/** Creates the first super admin from configuration when the platform has none. */
@Injectable()
export class SuperAdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly platform: PlatformScope,
    private readonly users: UserRepository,
    @Inject(TENANTS_CONFIG) private readonly config: TenantsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const created = await this.platform
      .transaction(async (tx) => {
        if ((await this.users.countSuperAdmins(tx)) > 0) {
          return false;
        }
        await this.users.insert(tx, {
          tenant_id: null,
          username: this.config.SUPER_ADMIN_USERNAME,
          password_hash: await hashPassword(this.config.SUPER_ADMIN_PASSWORD),
          role: 'super_admin',
        });
        return true;
      })
      .catch((error: { code?: string }) => {
        if (error.code === '23505' || (error as { details?: { constraint?: string } }).details) {
          return false; // another replica won
        }
        throw error;
      });
    if (created) {
      this.logger.info(
        { username: this.config.SUPER_ADMIN_USERNAME },
        'created the first super admin',
      );
    }
  }
}
