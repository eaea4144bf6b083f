import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import {
  DomainError,
  ErrorCode,
  tenantIdOf,
  type TenantRegistration,
  type TenantView,
  type TokenResponse,
} from '@tenantbot/contracts';
import { TenantDatabase } from '@tenantbot/database';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { hashPassword } from '../security/passwords';
import { SessionTokens } from '../session/session-tokens';
import { TenantRepository } from '../tenant/tenant.repository';
import { toTenantView } from '../tenant/tenant-view';
import { UserRepository } from '../user/user.repository';

/**
 * Self-service sign-up (off unless ALLOW_SELF_REGISTRATION): a company's tenant and its first
 * admin, together or not at all, written in the new tenant's own scope. Anyone may call it.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly tenants: TenantRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionTokens,
    @Inject(TENANTS_CONFIG) private readonly config: TenantsConfig,
  ) {}

  async register(
    input: TenantRegistration,
  ): Promise<{ tenant: TenantView; tokens: TokenResponse }> {
    if (!this.config.ALLOW_SELF_REGISTRATION) {
      throw new DomainError(ErrorCode.FEATURE_DISABLED, 'self-service registration is disabled');
    }
    const tenantId = tenantIdOf(randomUUID());
    const passwordHash = await hashPassword(input.admin.password);
    const { tenant, adminId } = await this.database.transaction(tenantId, async (db) => {
      await this.tenants.insert(db, { name: input.company_name, slug: input.slug });
      const adminId = await this.users.insert(db, {
        tenant_id: tenantId,
        username: input.admin.username,
        email: input.admin.email,
        password_hash: passwordHash,
        role: 'tenant_admin',
      });
      const created = await this.tenants.findById(db, tenantId);
      if (!created) {
        throw new Error('the tenant just registered cannot be read back');
      }
      return { tenant: toTenantView(created), adminId };
    });
    const tokens = await this.sessions.issue({ userId: adminId, tenantId, role: 'tenant_admin' });
    return { tenant, tokens };
  }
}
