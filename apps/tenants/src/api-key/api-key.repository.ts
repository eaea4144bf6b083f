import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  role: 'tenant_admin' | 'agent' | 'user' | 'readonly';
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

/** A tenant's API keys; authentication finds one by its prefix across tenants. */
@Injectable()
export class ApiKeyRepository {
  async listActive(db: EntityManager): Promise<ApiKeyRow[]> {
    return (await db.query(
      `SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id`,
    )) as ApiKeyRow[];
  }

  async findByPrefix(db: EntityManager, prefix: string): Promise<ApiKeyRow | undefined> {
    const rows = (await db.query(`SELECT * FROM api_keys WHERE prefix = $1`, [
      prefix,
    ])) as ApiKeyRow[];
    return rows[0];
  }

  async insert(
    db: EntityManager,
    key: Pick<
      ApiKeyRow,
      'tenant_id' | 'name' | 'prefix' | 'secret_hash' | 'role' | 'expires_at' | 'created_by'
    >,
  ): Promise<ApiKeyRow> {
    const rows = (await db.query(
      `INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, role, expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        key.tenant_id,
        key.name,
        key.prefix,
        key.secret_hash,
        key.role,
        key.expires_at,
        key.created_by,
      ],
    )) as ApiKeyRow[];
    return rows[0];
  }

  async revoke(db: EntityManager, id: string): Promise<boolean> {
    const [, updated] = (await db.query(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    )) as [unknown, number];
    return updated > 0;
  }

  /** Records use at most once a minute, so hot keys do not write on every request. */
  async touch(db: EntityManager, id: string): Promise<void> {
    await db.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
