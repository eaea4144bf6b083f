import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  type Page,
  type Pagination,
  type userCreateSchema,
  type userUpdateSchema,
  type UserView,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { currentContext } from '@tenantbot/tenant-context';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { RefreshTokenRepository } from '../auth/refresh-token.repository';
import { AccessChanges } from '../events/access-changes';
import { requireRole } from '../security/access';
import { hashPassword } from '../security/passwords';
import { UserRepository, type UserColumns, type UserRow } from './user.repository';

/**
 * Users of a tenant, managed by its tenant admin, or by a super admin anywhere: with
 * X-Tenant-ID in that tenant, without it across the platform.
 */
@Injectable()
export class UserService {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(RefreshTokenRepository) private readonly refreshTokens: RefreshTokenRepository,
    @Inject(AccessChanges) private readonly accessChanges: AccessChanges,
  ) {}

  list(page: Pagination): Promise<Page<UserView>> {
    return this.inCallersScope(async (db) => {
      const result = await this.users.list(db, page);
      return { ...result, items: result.items.map(toUserView) };
    });
  }

  get(id: string): Promise<UserView> {
    return this.inCallersScope(async (db) => toUserView(await this.mustFind(db, id)));
  }

  create(input: z.output<typeof userCreateSchema>): Promise<UserView> {
    const tenantId = currentContext()?.tenantId ?? null;
    this.assertMayGrant(input.role, tenantId);
    return this.inCallersScope(async (db) => {
      const id = await this.users.insert(db, {
        tenant_id: input.role === 'super_admin' ? null : tenantId,
        username: input.username,
        email: input.email,
        password_hash: await hashPassword(input.password),
        role: input.role,
        is_active: input.is_active,
      });
      return toUserView(await this.mustFind(db, id));
    });
  }

  async update(id: string, input: z.output<typeof userUpdateSchema>): Promise<UserView> {
    const updated = await this.inCallersScope(async (db) => {
      const user = await this.mustFind(db, id);
      if (input.role) this.assertMayGrant(input.role, user.tenant_id);
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
      if (input.password) columns.password_hash = await hashPassword(input.password);
      await this.users.update(db, id, withoutUndefined(columns));
      if (input.password || input.is_active === false || input.role) {
        await this.refreshTokens.revokeAllOfUser(db, id); // sessions end with the old rights
      }
      return toUserView(await this.mustFind(db, id));
    });
    await this.accessChanges.announce({ kind: 'user', tenantId: updated.tenant_id, userId: id });
    return updated;
  }

  async delete(id: string): Promise<void> {
    const tenantId = await this.inCallersScope(async (db) => {
      if (id === currentContext()?.principal?.userId) {
        throw new DomainError(ErrorCode.CONFLICT, 'you cannot delete your own account');
      }
      const user = await this.mustFind(db, id);
      if (!(await this.users.delete(db, id))) throw userNotFound();
      return user.tenant_id;
    });
    await this.accessChanges.announce({ kind: 'user', tenantId, userId: id });
  }

  private inCallersScope<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    const principal = requireRole('tenant_admin', 'super_admin');
    const tenantId = currentContext()?.tenantId;
    if (tenantId) return this.scope.run(tenantId, work);
    if (principal.role === 'super_admin') return this.scope.runAcrossTenants(work);
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this call needs a tenant (X-Tenant-ID)');
  }

  /** Nobody grants more than they hold; super admins live outside tenants. */
  private assertMayGrant(role: UserRow['role'], tenantId: string | null): void {
    const caller = requireRole('tenant_admin', 'super_admin');
    if (role === 'super_admin' && caller.role !== 'super_admin') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'only a super admin can grant super_admin');
    }
    if (role === 'super_admin' && tenantId && currentContext()?.tenantId) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        'a super admin belongs to no tenant: omit X-Tenant-ID',
      );
    }
    if (role !== 'super_admin' && !tenantId) {
      throw new DomainError(
        ErrorCode.TENANT_REQUIRED,
        'name the tenant of the user in X-Tenant-ID',
      );
    }
  }

  private async mustFind(db: EntityManager, id: string): Promise<UserRow> {
    const user = await this.users.findById(db, id);
    if (!user) throw userNotFound();
    return user;
  }
}

function userNotFound(): DomainError {
  return new DomainError(ErrorCode.NOT_FOUND, 'user not found');
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    username: row.username,
    email: row.email,
    role: row.role,
    is_active: row.is_active,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
