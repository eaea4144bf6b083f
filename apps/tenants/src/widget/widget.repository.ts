import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { WidgetBranding, WidgetLimits } from '@tenantbot/contracts';

export interface WidgetRow {
  id: string;
  tenant_id: string;
  name: string;
  public_key: string;
  allowed_origins: string[];
  assistant_id: string | null;
  branding: WidgetBranding;
  limits: WidgetLimits;
  handoff_enabled: boolean;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export type WidgetColumns = Pick<
  WidgetRow,
  | 'name'
  | 'allowed_origins'
  | 'assistant_id'
  | 'branding'
  | 'limits'
  | 'handoff_enabled'
  | 'is_active'
>;

/** A tenant's widgets. Row-level security confines every query to the transaction's tenant. */
@Injectable()
export class WidgetRepository {
  async list(db: EntityManager): Promise<WidgetRow[]> {
    return (await db.query(`SELECT * FROM widgets ORDER BY created_at, id`)) as WidgetRow[];
  }

  async findById(db: EntityManager, id: string): Promise<WidgetRow | undefined> {
    const rows = (await db.query(`SELECT * FROM widgets WHERE id = $1`, [id])) as WidgetRow[];
    return rows[0];
  }

  /** Across tenants (the platform scope): a public key names one widget of one tenant. */
  async findByPublicKey(db: EntityManager, publicKey: string): Promise<WidgetRow | undefined> {
    const rows = (await db.query(`SELECT * FROM widgets WHERE public_key = $1`, [
      publicKey,
    ])) as WidgetRow[];
    return rows[0];
  }

  async insert(
    db: EntityManager,
    widget: WidgetColumns & { tenant_id: string; public_key: string },
  ): Promise<WidgetRow> {
    const rows = (await db.query(
      `INSERT INTO widgets (tenant_id, name, public_key, allowed_origins, assistant_id, branding,
                            limits, handoff_enabled, is_active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        widget.tenant_id,
        widget.name,
        widget.public_key,
        widget.allowed_origins,
        widget.assistant_id,
        JSON.stringify(widget.branding),
        JSON.stringify(widget.limits),
        widget.handoff_enabled,
        widget.is_active,
      ],
    )) as WidgetRow[];
    return rows[0];
  }

  async update(
    db: EntityManager,
    id: string,
    widget: WidgetColumns,
  ): Promise<WidgetRow | undefined> {
    const [rows] = (await db.query(
      `UPDATE widgets SET name = $2, allowed_origins = $3, assistant_id = $4, branding = $5,
              limits = $6, handoff_enabled = $7, is_active = $8, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        id,
        widget.name,
        widget.allowed_origins,
        widget.assistant_id,
        JSON.stringify(widget.branding),
        JSON.stringify(widget.limits),
        widget.handoff_enabled,
        widget.is_active,
      ],
    )) as [WidgetRow[], number];
    return rows[0];
  }

  async delete(db: EntityManager, id: string): Promise<boolean> {
    const [, deleted] = (await db.query(`DELETE FROM widgets WHERE id = $1`, [id])) as [
      unknown,
      number,
    ];
    return deleted > 0;
  }

  /** Across tenants: whether an active widget of an active tenant, or an active tenant, allows it. */
  async originKnown(db: EntityManager, origin: string): Promise<boolean> {
    const rows = (await db.query(
      `SELECT EXISTS (
                SELECT 1 FROM widgets w JOIN tenants t ON t.id = w.tenant_id
                 WHERE w.allowed_origins @> ARRAY[$1] AND w.is_active AND t.is_active)
           OR EXISTS (
                SELECT 1 FROM tenants t
                 WHERE EXISTS (SELECT 1 FROM unnest(t.allowed_origins) o WHERE lower(o) = $1)
                   AND t.is_active) AS known`,
      [origin],
    )) as { known: boolean }[];
    return rows[0]?.known ?? false;
  }
}
