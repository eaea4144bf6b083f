import { Injectable } from '@nestjs/common';

import {
  DomainError,
  ErrorCode,
  type Page,
  type Pagination,
  type PlatformCaller,
  type UserCreate,
  type UserUpdate,
  type UserView,
} from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  PlatformScope,
  TenantDatabase,
} from '@tenantbot/database';

import { AccessChanges } from '../events/access-changes';
import { requireRole } from '../security/caller';
import { hashPassword } from '../security/passwords';
import { RefreshTokenRepository } from '../session/refresh-token.repository';
import { type UserColumns, type UserRecord, UserRepository } from './user.repository';
import { toUserView } from './user-view';

/**
 * Users of a tenant, managed by its tenant admin, or by a super admin anywhere: with
 * X-Tenant-ID in that tenant, without it across the platform.
 */
@Injectable()
export class UserService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly platform: PlatformScope,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly accessChanges: AccessChanges,
  ) {}

  async list(caller: PlatformCaller, page: Pagination): Promise<Page<UserView>> {
    return this.inCallersScope(caller, async (db) => {
      const result = await this.users.list(db, page);
      return { ...result, items: result.items.map(toUserView) };
    });
  }

  async get(caller: PlatformCaller, id: string): Promise<UserView> {
    return this.inCallersScope(caller, async (db) => toUserView(await this.mustFind(db, id)));
  }

  async create(caller: PlatformCaller, input: UserCreate): Promise<UserView> {
    assertMayGrant(caller, input.role, caller.tenantId ?? null);
    const passwordHash = await hashPassword(input.password);
    return this.inCallersScope(caller, async (db) => {
      const id = await this.users.insert(db, {
        tenant_id: input.role === 'super_admin' ? null : (caller.tenantId ?? null),
        username: input.username,
        email: input.email,
        password_hash: passwordHash,
        role: input.role,
        is_active: input.is_active,
      });
      return toUserView(await this.mustFind(db, id));
    });
  }

  async update(caller: PlatformCaller, id: string, input: UserUpdate): Promise<UserView> {
    const updated = await this.inCallersScope(caller, async (db) => {
      const user = await this.mustFind(db, id);
      if (input.role) {
        assertMayGrant(caller, input.role, user.tenant_id);
      }
      if (input.role && (input.role === 'super_admin') !== (user.role === 'super_admin')) {
        throw new DomainError(
          ErrorCode.VALIDATION_FAILED,
          'a user cannot move between a tenant and the platform',
        );
      }
      const columns: UserColumns = {
        email: input.email,
        role: input.role,
        is_active: input.is_active,
      };
      if (input.password) {
        columns.password_hash = await hashPassword(input.password);
      }
      await this.users.update(db, id, withoutUndefined(columns));
      if (input.password || input.is_active === false || input.role) {
        await this.refreshTokens.revokeAllOfUser(db, id); // sessions end with the old rights
      }
      return toUserView(await this.mustFind(db, id));
    });
    await this.accessChanges.announce({ kind: 'user', tenantId: updated.tenant_id, userId: id });
    return updated;
  }

  async delete(caller: PlatformCaller, id: string): Promise<void> {
    const tenantId = await this.inCallersScope(caller, async (db) => {
      if (id === caller.userId) {
        throw new DomainError(ErrorCode.CONFLICT, 'you cannot delete your own account');
      }
      const user = await this.mustFind(db, id);
      if (!(await this.users.delete(db, id))) {
        throw userNotFound();
      }
      return user.tenant_id;
    });
    await this.accessChanges.announce({ kind: 'user', tenantId, userId: id });
  }

  /** The caller's tenant; a super admin without one works across the platform. */
  private inCallersScope<T>(
    caller: PlatformCaller,
    work: (scope: InTenant | AcrossTenants) => Promise<T>,
  ): Promise<T> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    if (caller.tenantId) {
      return this.database.transaction(caller.tenantId, work);
    }
    if (caller.role === 'super_admin') {
      return this.platform.transaction(work);
    }
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this call needs a tenant (X-Tenant-ID)');
  }

  private async mustFind(db: InTenant | AcrossTenants, id: string): Promise<UserRecord> {
    const user = await this.users.findById(db, id);
    if (!user) {
      throw userNotFound();
    }
    return user;
  }
}

/** Nobody grants more than they hold; super admins live outside tenants. */
function assertMayGrant(
  caller: PlatformCaller,
  role: UserRecord['role'],
  tenantId: string | null,
): void {
  requireRole(caller, 'tenant_admin', 'super_admin');
  if (role === 'super_admin' && caller.role !== 'super_admin') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'only a super admin can grant super_admin');
  }
  if (role === 'super_admin' && tenantId && caller.tenantId) {
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      'a super admin belongs to no tenant: omit X-Tenant-ID',
    );
  }
  if (role !== 'super_admin' && !tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'name the tenant of the user in X-Tenant-ID');
  }
}

function userNotFound(): DomainError {
  return new DomainError(ErrorCode.NOT_FOUND, 'user not found');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
