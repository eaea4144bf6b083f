import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import { type Page, type Pagination, type Role, ROLES, type TenantId } from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type Row,
  TenantScopedRepository,
} from '@tenantbot/database';

import { oneOf } from '../runtime/column-values';
import { conflictOnDuplicate } from '../security/database-errors';

export interface UserRecord extends Omit<Row<'users'>, 'role'> {
  role: Role;
}

export type UserColumns = Partial<
  Pick<UserRecord, 'email' | 'password_hash' | 'role' | 'is_active'>
>;

export type NewUser = Pick<UserRecord, 'tenant_id' | 'username' | 'password_hash' | 'role'> &
  Partial<Pick<UserRecord, 'email' | 'is_active'>>;

const UNIQUE_MESSAGES = {
  users_username: 'a user with this username already exists in the tenant',
  users_email: 'a user with this email already exists in the tenant',
  platform_users_username: 'a platform user with this username already exists',
  platform_users_email: 'a platform user with this email already exists',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Users of a tenant, or of the platform (the super admins, no tenant). The super admin's
 * platform views and logins before the tenant is known read across tenants.
 */
@Injectable()
export class UserRepository extends TenantScopedRepository {
  list(scope: InTenant | AcrossTenants, page: Pagination): Promise<Page<UserRecord>> {
    return this.query(scope, async (db) => {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const { total } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('total'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toRecord), total: Number(total), ...page };
    });
  }

  async findById(scope: InTenant | AcrossTenants, id: string): Promise<UserRecord | undefined> {
    if (!UUID.test(id)) {
      return undefined;
    }
    const row = await this.query(scope, (db) =>
      db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  /** A login name: the username or the email, case-insensitively, in one tenant or the platform. */
  async findByLogin(
    scope: InTenant | AcrossTenants,
    tenantId: TenantId | null,
    login: string,
  ): Promise<UserRecord | undefined> {
    const row = await this.query(scope, (db) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', 'is not distinct from', tenantId)
        .where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['username']), '=', login.toLowerCase()),
            eb(eb.fn('lower', ['email']), '=', login.toLowerCase()),
          ]),
        )
        .limit(1)
        .executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  async insert(scope: InTenant | AcrossTenants, user: NewUser): Promise<string> {
    const { id } = await this.query(scope, (db) =>
      conflictOnDuplicate(
        db
          .insertInto('users')
          .values({ ...user, email: user.email ?? null, is_active: user.is_active ?? true })
          .returning('id')
          .executeTakeFirstOrThrow(),
        UNIQUE_MESSAGES,
      ),
    );
    return id;
  }

  async update(scope: InTenant | AcrossTenants, id: string, columns: UserColumns): Promise<void> {
    if (Object.keys(columns).length === 0) {
      return;
    }
    await this.query(scope, (db) =>
      conflictOnDuplicate(
        db
          .updateTable('users')
          .set({ ...columns, updated_at: sql`now()` })
          .where('id', '=', id)
          .execute(),
        UNIQUE_MESSAGES,
      ),
    );
  }

  /** A password login succeeded now (its `updated_at` stays: the account did not change). */
  async recordLogin(scope: InTenant | AcrossTenants, id: string): Promise<void> {
    await this.query(scope, (db) =>
      db
        .updateTable('users')
        .set({ last_login_at: sql`now()` })
        .where('id', '=', id)
        .execute(),
    );
  }

  async delete(scope: InTenant | AcrossTenants, id: string): Promise<boolean> {
    const result = await this.query(scope, (db) =>
      db.deleteFrom('users').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  async countSuperAdmins(platform: AcrossTenants): Promise<number> {
    const { count } = await this.query(platform, (db) =>
      db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('role', '=', 'super_admin')
        .executeTakeFirstOrThrow(),
    );
    return Number(count);
  }
}

function toRecord(row: Row<'users'>): UserRecord {
  return { ...row, role: oneOf(ROLES, row.role, 'users.role') };
}
