import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import {
  type CompanyRef,
  type PlatformUsersQuery,
  TENANT_ROLES,
  tenantIdOf,
} from '@tenantbot/contracts';
import { type AcrossTenants, containsPattern, TenantScopedRepository } from '@tenantbot/database';

import { oneOf } from '../runtime/column-values';

/** The people who work the console, when no role is asked for. */
const CONSOLE_ROLES = ['agent', 'tenant_admin'] as const;

export interface PlatformUserRecord {
  id: string;
  company: CompanyRef;
  username: string;
  email: string | null;
  role: (typeof TENANT_ROLES)[number];
  is_active: boolean;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Users and companies across tenants, for the super admin: only the platform scope reaches them. */
@Injectable()
export class PlatformRepository extends TenantScopedRepository {
  users(
    platform: AcrossTenants,
    filter: PlatformUsersQuery,
  ): Promise<{ rows: PlatformUserRecord[]; total: number }> {
    return this.query(platform, async (db) => {
      // Super admins belong to no company: the inner join leaves them out.
      let matching = db
        .selectFrom('users')
        .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
        .where('users.role', 'in', filter.role ? [filter.role] : [...CONSOLE_ROLES]);
      if (filter.tenant_id) {
        matching = matching.where('users.tenant_id', '=', tenantIdOf(filter.tenant_id));
      }
      if (filter.q) {
        const pattern = containsPattern(filter.q);
        matching = matching.where((eb) =>
          eb.or([eb('users.username', 'ilike', pattern), eb('users.email', 'ilike', pattern)]),
        );
      }
      const rows = await matching
        .select([
          'users.id',
          'users.username',
          'users.email',
          'users.role',
          'users.is_active',
          'users.last_login_at',
          'users.created_at',
          'users.updated_at',
          'tenants.id as company_id',
          'tenants.name as company_name',
          'tenants.slug as company_slug',
        ])
        .orderBy('users.created_at')
        .orderBy('users.id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute();
      const { total } = await matching
        .select(sql<number>`count(*)::int`.as('total'))
        .executeTakeFirstOrThrow();
      return {
        rows: rows.map((row) => ({
          id: row.id,
          company: { id: row.company_id, name: row.company_name, slug: row.company_slug },
          username: row.username,
          email: row.email,
          role: oneOf(TENANT_ROLES, row.role, 'users.role'),
          is_active: row.is_active,
          last_login_at: row.last_login_at,
          created_at: row.created_at,
          updated_at: row.updated_at,
        })),
        total,
      };
    });
  }

  /** The named companies that exist, by id. */
  async companies(platform: AcrossTenants, ids: readonly string[]): Promise<CompanyRef[]> {
    if (ids.length === 0) {
      return [];
    }
    return this.query(platform, (db) =>
      db
        .selectFrom('tenants')
        .select(['id', 'name', 'slug'])
        .where('id', 'in', ids.map(tenantIdOf))
        .orderBy('name')
        .execute(),
    );
  }
}
