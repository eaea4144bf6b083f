import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { TenantId } from '@tenantbot/contracts';
import { type InTenant, type NewRow, type Row, TenantScopedRepository } from '@tenantbot/database';

const FOREIGN_KEY_VIOLATION = '23503';

export type WebhookRow = Row<'webhooks'>;
export type DeliveryRow = Row<'webhook_deliveries'>;
export type NewDelivery = Omit<NewRow<'webhook_deliveries'>, 'id' | 'created_at'>;

/** A tenant's webhook endpoints and the log of their delivery attempts. */
@Injectable()
export class WebhookRepository extends TenantScopedRepository {
  list(tenant: InTenant): Promise<WebhookRow[]> {
    return this.query(tenant, (db) =>
      db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute(),
    );
  }

  findById(tenant: InTenant, id: string): Promise<WebhookRow | undefined> {
    return this.query(tenant, (db) =>
      db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst(),
    );
  }

  /** The endpoints subscribed to an event type. */
  subscribedTo(tenant: TenantId, eventType: string): Promise<WebhookRow[]> {
    return this.query(tenant, (db) =>
      db
        .selectFrom('webhooks')
        .selectAll()
        .where(sql<boolean>`${eventType} = ANY(events)`)
        .execute(),
    );
  }

  insert(tenant: InTenant, webhook: NewRow<'webhooks'>): Promise<WebhookRow> {
    return this.query(tenant, (db) =>
      db.insertInto('webhooks').values(webhook).returningAll().executeTakeFirstOrThrow(),
    );
  }

  async delete(tenant: InTenant, id: string): Promise<boolean> {
    const result = await this.query(tenant, (db) =>
      db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst(),
    );
    return result.numDeletedRows > 0n;
  }

  /** Records an attempt; false when the endpoint was deleted meanwhile (nothing recorded). */
  async recordAttempt(tenant: TenantId, attempt: NewDelivery): Promise<boolean> {
    try {
      await this.query(tenant, (db) =>
        db.insertInto('webhook_deliveries').values(attempt).execute(),
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) {
        return false;
      }
      throw error;
    }
  }

  latestDeliveries(tenant: InTenant, webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return this.query(tenant, (db) =>
      db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('created_at', 'desc')
        .orderBy('attempt', 'desc')
        .limit(limit)
        .execute(),
    );
  }
}
