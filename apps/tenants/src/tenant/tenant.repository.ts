import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { z } from 'zod';

import {
  isTenantId,
  type Page,
  type Pagination,
  PLANS,
  ragSettingsSchema,
  rateLimitsSchema,
  type TenantId,
} from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type Queries,
  type Row,
  type ScopedTransaction,
  TenantScopedRepository,
} from '@tenantbot/database';

import { oneOf } from '../runtime/column-values';
import { conflictOnDuplicate } from '../security/database-errors';
import { sealedSecretSchema } from '../security/secret-box';

const providerKeysSchema = z.object({
  openai: sealedSecretSchema.optional(),
  anthropic: sealedSecretSchema.optional(),
});

/** A tenant as the code uses it: its JSON settings parsed, its domains alongside. */
export interface TenantRecord extends Omit<
  Row<'tenants'>,
  'plan' | 'rate_limits' | 'rag_settings' | 'provider_keys'
> {
  plan: (typeof PLANS)[number];
  rate_limits: z.output<typeof rateLimitsSchema>;
  rag_settings: z.output<typeof ragSettingsSchema>;
  provider_keys: z.output<typeof providerKeysSchema>;
  domains: string[];
}

/** Columns a caller may set; everything else is the repository's business. */
export type TenantColumns = Partial<
  Pick<
    TenantRecord,
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
    | 'email'
    | 'phone'
    | 'website'
    | 'logo_url'
  >
>;

const UNIQUE_MESSAGES = {
  tenants_slug_key: 'a tenant with this slug already exists',
};

/** `tenants`, each with its domains. Tenant resolution and the super admin's list cross tenants. */
@Injectable()
export class TenantRepository extends TenantScopedRepository {
  async list(platform: AcrossTenants, page: Pagination): Promise<Page<TenantRecord>> {
    return this.query(platform, async (db) => {
      const rows = await selectTenants(db)
        .orderBy('t.created_at')
        .orderBy('t.id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const { total } = await db
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll().as('total'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toRecord), total: Number(total), ...page };
    });
  }

  findById(scope: InTenant | AcrossTenants, id: TenantId): Promise<TenantRecord | undefined> {
    return this.query(scope, async (db) => {
      const row = await selectTenants(db).where('t.id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    });
  }

  /** An X-Tenant-ID: the tenant's id or its slug. */
  findByReference(platform: AcrossTenants, reference: string): Promise<TenantRecord | undefined> {
    return this.query(platform, async (db) => {
      const query = selectTenants(db);
      const row = await (
        isTenantId(reference)
          ? query.where('t.id', '=', reference)
          : query.where('t.slug', '=', reference.toLowerCase())
      ).executeTakeFirst();
      return row && toRecord(row);
    });
  }

  /** The tenant whose verified domain the host is; pending claims resolve nothing. */
  findByDomain(platform: AcrossTenants, host: string): Promise<TenantRecord | undefined> {
    return this.query(platform, async (db) => {
      const row = await selectTenants(db)
        .where('t.id', '=', (eb) =>
          eb
            .selectFrom('tenant_domains')
            .select('tenant_id')
            .where('domain', '=', host.toLowerCase())
            .where('verified_at', 'is not', null),
        )
        .executeTakeFirst();
      return row && toRecord(row);
    });
  }

  /** A new tenant, in the unit of work of its own (already chosen) id. */
  async insert(
    tx: ScopedTransaction,
    columns: TenantColumns & { name: string; slug: string },
  ): Promise<void> {
    await this.query(tx, (db) =>
      conflictOnDuplicate(
        db
          .insertInto('tenants')
          .values({ ...columns, name: columns.name, slug: columns.slug, id: tx.tenantId })
          .execute(),
        UNIQUE_MESSAGES,
      ),
    );
  }

  async update(tenant: InTenant, id: TenantId, columns: TenantColumns): Promise<void> {
    if (Object.keys(columns).length === 0) {
      return;
    }
    await this.query(tenant, (db) =>
      conflictOnDuplicate(
        db
          .updateTable('tenants')
          .set({ ...columns, updated_at: sql`now()` })
          .where('id', '=', id)
          .execute(),
        UNIQUE_MESSAGES,
      ),
    );
  }

  /** Deletes the tenant; its users, keys, tokens and domains go with it (foreign keys). */
  async delete(tenant: InTenant, id: TenantId): Promise<boolean> {
    const result = await this.query(tenant, (db) =>
      db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }
}

/** Tenants with their domains, sorted, as one array column. */
function selectTenants(db: Queries) {
  return db
    .selectFrom('tenants as t')
    .selectAll('t')
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('tenant_domains as d')
            .select((inner) =>
              inner.fn.agg<string[]>('array_agg', ['d.domain']).orderBy('d.domain').as('domains'),
            )
            .whereRef('d.tenant_id', '=', 't.id'),
          sql<string[]>`'{}'`,
        )
        .as('domains'),
    );
}

function toRecord(row: Row<'tenants'> & { domains: string[] }): TenantRecord {
  return {
    ...row,
    plan: oneOf(PLANS, row.plan, 'tenants.plan'),
    rate_limits: rateLimitsSchema.parse(row.rate_limits),
    rag_settings: ragSettingsSchema.parse(row.rag_settings),
    provider_keys: providerKeysSchema.parse(row.provider_keys),
  };
}
