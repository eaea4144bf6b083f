import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { Page, Pagination, Role } from '@tenantbot/contracts';

import { conflictOnDuplicate } from '../security/database-errors';

export interface UserRow {
  id: string;
  tenant_id: string | null;
  username: string;
  email: string | null;
  password_hash: string;
  role: Role;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export type UserColumns = Partial<Pick<UserRow, 'email' | 'password_hash' | 'role' | 'is_active'>>;

const UNIQUE_MESSAGES = {
  users_username: 'a user with this username already exists in the tenant',
  users_email: 'a user with this email already exists in the tenant',
  platform_users_username: 'a platform user with this username already exists',
  platform_users_email: 'a platform user with this email already exists',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users as row-level security lets the current scope see them. */
@Injectable()
export class UserRepository {
  async list(db: EntityManager, page: Pagination): Promise<Page<UserRow>> {
    const items = (await db.query(
      `SELECT * FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    )) as UserRow[];
    const [{ total }] = (await db.query(`SELECT count(*)::int AS total FROM users`)) as {
      total: number;
    }[];
    return { items, total, ...page };
  }

  async findById(db: EntityManager, id: string): Promise<UserRow | undefined> {
    if (!UUID.test(id)) {
      return undefined;
    }
    const rows = (await db.query(`SELECT * FROM users WHERE id = $1`, [id])) as UserRow[];
    return rows[0];
  }

  /** A login name: the username or the email, case-insensitively, within one tenant (or the platform). */
  async findByLogin(
    db: EntityManager,
    tenantId: string | null,
    login: string,
  ): Promise<UserRow | undefined> {
    const rows = (await db.query(
      `SELECT * FROM users
        WHERE tenant_id IS NOT DISTINCT FROM $1 AND (lower(username) = lower($2) OR lower(email) = lower($2))
        LIMIT 1`,
      [tenantId, login],
    )) as UserRow[];
    return rows[0];
  }

  async insert(
    db: EntityManager,
    user: Pick<UserRow, 'tenant_id' | 'username' | 'password_hash' | 'role'> &
      Partial<Pick<UserRow, 'email' | 'is_active'>>,
  ): Promise<string> {
    const rows = (await conflictOnDuplicate(
      db.query(
        `INSERT INTO users (tenant_id, username, email, password_hash, role, is_active)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          user.tenant_id,
          user.username,
          user.email ?? null,
          user.password_hash,
          user.role,
          user.is_active ?? true,
        ],
      ),
      UNIQUE_MESSAGES,
    )) as { id: string }[];
    return rows[0].id;
  }

  async update(db: EntityManager, id: string, columns: UserColumns): Promise<void> {
    const names = Object.keys(columns) as (keyof UserColumns)[];
    if (names.length === 0) {
      return;
    }
    await conflictOnDuplicate(
      db.query(
        `UPDATE users SET ${names.map((name, i) => `${name} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
        [id, ...names.map((name) => columns[name])],
      ),
      UNIQUE_MESSAGES,
    );
  }

  async delete(db: EntityManager, id: string): Promise<boolean> {
    const [, deleted] = (await db.query(`DELETE FROM users WHERE id = $1`, [id])) as [
      unknown,
      number,
    ];
    return deleted > 0;
  }

  async countSuperAdmins(db: EntityManager): Promise<number> {
    const [{ count }] = (await db.query(
      `SELECT count(*)::int AS count FROM users WHERE role = 'super_admin'`,
    )) as {
      count: number;
    }[];
    return count;
  }
}
