import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import {
  type WidgetBranding,
  widgetBrandingSchema,
  type WidgetLimits,
  widgetLimitsSchema,
} from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type NewRow,
  type Row,
  TenantScopedRepository,
} from '@tenantbot/database';

/** A widget as the code uses it: its branding and limits parsed. */
export interface WidgetRecord extends Omit<Row<'widgets'>, 'branding' | 'limits'> {
  branding: WidgetBranding;
  limits: WidgetLimits;
}

export type WidgetColumns = Pick<
  WidgetRecord,
  | 'name'
  | 'allowed_origins'
  | 'assistant_id'
  | 'branding'
  | 'limits'
  | 'handoff_enabled'
  | 'is_active'
>;

/**
 * A tenant's widgets. Opening one by its public key and the gateway's CORS question ("does
 * any tenant allow this origin?") cross tenants.
 */
@Injectable()
export class WidgetRepository extends TenantScopedRepository {
  async list(tenant: InTenant): Promise<WidgetRecord[]> {
    const rows = await this.query(tenant, (db) =>
      db.selectFrom('widgets').selectAll().orderBy('created_at').orderBy('id').execute(),
    );
    return rows.map(toRecord);
  }

  async findById(tenant: InTenant, id: string): Promise<WidgetRecord | undefined> {
    const row = await this.query(tenant, (db) =>
      db.selectFrom('widgets').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  /** A public key names one widget of one tenant. */
  async findByPublicKey(
    platform: AcrossTenants,
    publicKey: string,
  ): Promise<WidgetRecord | undefined> {
    const row = await this.query(platform, (db) =>
      db.selectFrom('widgets').selectAll().where('public_key', '=', publicKey).executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  async insert(
    tenant: InTenant,
    widget: WidgetColumns & Pick<NewRow<'widgets'>, 'tenant_id' | 'public_key'>,
  ): Promise<WidgetRecord> {
    const row = await this.query(tenant, (db) =>
      db.insertInto('widgets').values(widget).returningAll().executeTakeFirstOrThrow(),
    );
    return toRecord(row);
  }

  async update(
    tenant: InTenant,
    id: string,
    widget: WidgetColumns,
  ): Promise<WidgetRecord | undefined> {
    const row = await this.query(tenant, (db) =>
      db
        .updateTable('widgets')
        .set({ ...widget, updated_at: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row && toRecord(row);
  }

  async delete(tenant: InTenant, id: string): Promise<boolean> {
    const result = await this.query(tenant, (db) =>
      db.deleteFrom('widgets').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  /** Whether an active widget of an active tenant, or an active tenant, allows the origin. */
  async originKnown(platform: AcrossTenants, origin: string): Promise<boolean> {
    const row = await this.query(platform, (db) =>
      db
        .selectNoFrom((eb) =>
          eb
            .or([
              eb.exists(
                eb
                  .selectFrom('widgets as w')
                  .innerJoin('tenants as t', 't.id', 'w.tenant_id')
                  .select(sql`1`.as('one'))
                  .where(sql<boolean>`w.allowed_origins @> ARRAY[${origin}]`)
                  .where('w.is_active', '=', true)
                  .where('t.is_active', '=', true),
              ),
              eb.exists(
                eb
                  .selectFrom('tenants as t')
                  .select(sql`1`.as('one'))
                  .where(
                    sql<boolean>`EXISTS (SELECT 1 FROM unnest(t.allowed_origins) o WHERE lower(o) = ${origin})`,
                  )
                  .where('t.is_active', '=', true),
              ),
            ])
            .as('known'),
        )
        .executeTakeFirstOrThrow(),
    );
    return Boolean(row.known);
  }
}

function toRecord(row: Row<'widgets'>): WidgetRecord {
  return {
    ...row,
    branding: widgetBrandingSchema.parse(row.branding),
    limits: widgetLimitsSchema.parse(row.limits),
  };
}
