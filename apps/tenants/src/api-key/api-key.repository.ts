import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import { TENANT_ROLES } from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type Row,
  TenantScopedRepository,
} from '@tenantbot/database';

import { oneOf } from '../runtime/column-values';

export interface ApiKeyRecord extends Omit<Row<'api_keys'>, 'role'> {
  role: (typeof TENANT_ROLES)[number];
}

export type NewApiKey = Pick<
  ApiKeyRecord,
  'tenant_id' | 'name' | 'prefix' | 'secret_hash' | 'role' | 'expires_at' | 'created_by'
>;

/** A tenant's API keys; authentication finds one by its prefix, across tenants. */
@Injectable()
export class ApiKeyRepository extends TenantScopedRepository {
  async listActive(tenant: InTenant): Promise<ApiKeyRecord[]> {
    const rows = await this.query(tenant, (db) =>
      db
        .selectFrom('api_keys')
        .selectAll()
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    );
    return rows.map(toRecord);
  }

  async findByPrefix(platform: AcrossTenants, prefix: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.query(platform, (db) =>
      db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  async insert(tenant: InTenant, key: NewApiKey): Promise<ApiKeyRecord> {
    const row = await this.query(tenant, (db) =>
      db.insertInto('api_keys').values(key).returningAll().executeTakeFirstOrThrow(),
    );
    return toRecord(row);
  }

  async revoke(tenant: InTenant, id: string): Promise<boolean> {
    const result = await this.query(tenant, (db) =>
      db
        .updateTable('api_keys')
        .set({ revoked_at: sql`now()` })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /** Records use at most once a minute, so hot keys do not write on every request. */
  async touch(platform: AcrossTenants, id: string): Promise<void> {
    await this.query(platform, (db) =>
      db
        .updateTable('api_keys')
        .set({ last_used_at: sql`now()` })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('last_used_at', 'is', null),
            eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
          ]),
        )
        .execute(),
    );
  }
}

function toRecord(row: Row<'api_keys'>): ApiKeyRecord {
  return { ...row, role: oneOf(TENANT_ROLES, row.role, 'api_keys.role') };
}
