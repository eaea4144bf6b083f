import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { Page, Pagination } from '@tenantbot/contracts';

import { conflictOnDuplicate } from '../security/database-errors';
import type { SealedSecret } from '../security/secret-box';

export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  is_active: boolean;
  system_prompt: string | null;
  default_model: string | null;
  allowed_models: string[];
  rate_limits: Record<string, number>;
  rag_settings: Record<string, unknown>;
  allowed_origins: string[];
  provider_keys: Partial<Record<'openai' | 'anthropic', SealedSecret>>;
  domains: string[];
  domain_verification_token: string;
  created_at: Date;
  updated_at: Date;
}

/** Columns a caller may set; everything else is the repository's business. */
export type TenantColumns = Partial<
  Pick<
    TenantRow,
    | 'name'
    | 'slug'
    | 'plan'
    | 'is_active'
    | 'system_prompt'
    | 'default_model'
    | 'allowed_models'
    | 'rate_limits'
    | 'rag_settings'
    | 'allowed_origins'
    | 'provider_keys'
  >
>;

const JSON_COLUMNS = new Set(['rate_limits', 'rag_settings', 'provider_keys']);

const SELECT_TENANT = `
  SELECT t.*, COALESCE(
           (SELECT array_agg(d.domain ORDER BY d.domain) FROM tenant_domains d WHERE d.tenant_id = t.id),
           '{}') AS domains
    FROM tenants t`;

const UNIQUE_MESSAGES = {
  tenants_slug_key: 'a tenant with this slug already exists',
  tenant_domains_verified: 'a domain is already used by another tenant',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `tenants`, each with its domains, as row-level security lets the current scope see them. */
@Injectable()
export class TenantRepository {
  async list(db: EntityManager, page: Pagination): Promise<Page<TenantRow>> {
    const items = (await db.query(
      `${SELECT_TENANT} ORDER BY t.created_at, t.id LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    )) as TenantRow[];
    const [{ total }] = (await db.query(`SELECT count(*)::int AS total FROM tenants`)) as {
      total: number;
    }[];
    return { items, total, ...page };
  }

  async findById(db: EntityManager, id: string): Promise<TenantRow | undefined> {
    if (!UUID.test(id)) {
      return undefined;
    }
    const rows = (await db.query(`${SELECT_TENANT} WHERE t.id = $1`, [id])) as TenantRow[];
    return rows[0];
  }

  /** An X-Tenant-ID: the tenant's id or its slug. */
  async findByReference(db: EntityManager, reference: string): Promise<TenantRow | undefined> {
    const byId = await this.findById(db, reference);
    if (byId) {
      return byId;
    }
    const rows = (await db.query(`${SELECT_TENANT} WHERE t.slug = $1`, [
      reference.toLowerCase(),
    ])) as TenantRow[];
    return rows[0];
  }

  /** The tenant whose verified domain the host is; pending claims resolve nothing. */
  async findByDomain(db: EntityManager, host: string): Promise<TenantRow | undefined> {
    const rows = (await db.query(
      `${SELECT_TENANT}
        WHERE t.id = (SELECT tenant_id FROM tenant_domains WHERE domain = $1 AND verified_at IS NOT NULL)`,
      [host.toLowerCase()],
    )) as TenantRow[];
    return rows[0];
  }

  async insert(
    db: EntityManager,
    columns: TenantColumns & { id: string; name: string; slug: string },
  ): Promise<string> {
    const names = Object.keys(columns);
    const values = names.map((name) => this.toDatabase(name, columns[name as keyof TenantColumns]));
    const rows = (await conflictOnDuplicate(
      db.query(
        `INSERT INTO tenants (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        values,
      ),
      UNIQUE_MESSAGES,
    )) as { id: string }[];
    return rows[0].id;
  }

  async update(db: EntityManager, id: string, columns: TenantColumns): Promise<void> {
    const names = Object.keys(columns);
    if (names.length === 0) {
      return;
    }
    const assignments = names.map((name, i) => `${name} = $${i + 2}`).join(', ');
    await conflictOnDuplicate(
      db.query(`UPDATE tenants SET ${assignments}, updated_at = now() WHERE id = $1`, [
        id,
        ...names.map((name) => this.toDatabase(name, columns[name as keyof TenantColumns])),
      ]),
      UNIQUE_MESSAGES,
    );
  }

  /** Deletes the tenant; its users, keys, tokens and domains go with it (foreign keys). */
  async delete(db: EntityManager, id: string): Promise<boolean> {
    const [, deleted] = (await db.query(`DELETE FROM tenants WHERE id = $1`, [id])) as [
      unknown,
      number,
    ];
    return deleted > 0;
  }

  private toDatabase(column: string, value: unknown): unknown {
    return JSON_COLUMNS.has(column) ? JSON.stringify(value ?? {}) : value;
  }
}
