import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { TenantId } from '@tenantbot/contracts';
import {
  type InTenant,
  type NewRow,
  type Row,
  type ScopedTransaction,
  tenantOfScope,
  TenantScopedRepository,
} from '@tenantbot/database';

export type AssistantRow = Row<'assistants'>;

/** What an assistant's create and update write: every column but its identity and times. */
export type AssistantColumns = Omit<
  NewRow<'assistants'>,
  'id' | 'tenant_id' | 'created_at' | 'updated_at'
>;

/** The tenant's first assistant, made when it has none: the tenant's prompt, open to all. */
const FIRST_DEFAULT: AssistantColumns = {
  name: 'Assistant',
  slug: 'assistant',
  description: '',
  system_prompt: null,
  model: null,
  temperature: null,
  roles: ['tenant_admin', 'agent', 'user', 'readonly'],
  widgets_allowed: true,
  knowledge_document_ids: null,
  knowledge_tags: null,
  greeting: '',
  is_default: true,
};

/** A tenant's assistants. At most one is its default (a partial unique index says so). */
@Injectable()
export class AssistantRepository extends TenantScopedRepository {
  async page(
    tenant: InTenant,
    page: { limit: number; offset: number },
  ): Promise<{ items: AssistantRow[]; total: number }> {
    return this.query(tenant, async (db) => {
      const items = await db
        .selectFrom('assistants')
        .selectAll()
        .orderBy('is_default', 'desc')
        .orderBy('created_at')
        .orderBy('id')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const count = await db
        .selectFrom('assistants')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      return { items, total: Number(count.count) };
    });
  }

  /** Every assistant of the tenant, the default first (a tenant has a handful). */
  all(tenant: InTenant): Promise<AssistantRow[]> {
    return this.query(tenant, (db) =>
      db
        .selectFrom('assistants')
        .selectAll()
        .orderBy('is_default', 'desc')
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    );
  }

  findById(tenant: InTenant, id: string): Promise<AssistantRow | undefined> {
    return this.query(tenant, (db) =>
      db.selectFrom('assistants').selectAll().where('id', '=', id).executeTakeFirst(),
    );
  }

  /**
   * In one round trip, the assistants an exchange may be answered by: the one asked for (else
   * the conversation's), and the tenant's default.
   */
  candidatesForExchange(
    tenantId: TenantId,
    requested: string | undefined,
    conversationId: string | undefined,
  ): Promise<AssistantRow[]> {
    return this.statement(tenantId, (db) => {
      let query = db.selectFrom('assistants').selectAll();
      if (requested) {
        query = query.where((eb) => eb.or([eb('is_default', '=', true), eb('id', '=', requested)]));
      } else if (conversationId) {
        query = query.where((eb) =>
          eb.or([
            eb('is_default', '=', true),
            eb(
              'id',
              '=',
              eb
                .selectFrom('conversations')
                .select('assistant_id')
                .where('id', '=', conversationId),
            ),
          ]),
        );
      } else {
        query = query.where('is_default', '=', true);
      }
      return query;
    });
  }

  findDefault(tenant: InTenant): Promise<AssistantRow | undefined> {
    return this.query(tenant, (db) =>
      db.selectFrom('assistants').selectAll().where('is_default', '=', true).executeTakeFirst(),
    );
  }

  /**
   * The tenant's default, created first when it has none (a new tenant): two exchanges doing
   * this at once both get the one row.
   */
  async ensureDefault(tenant: InTenant): Promise<AssistantRow> {
    const found = await this.findDefault(tenant);
    if (found) {
      return found;
    }
    const tenantId = tenantOfScope(tenant);
    if (!tenantId) {
      throw new Error('ensureDefault needs a tenant');
    }
    return this.query(tenant, async (db) => {
      const inserted = await db
        .insertInto('assistants')
        .values({ ...FIRST_DEFAULT, tenant_id: tenantId })
        .onConflict((conflict) => conflict.doNothing())
        .returningAll()
        .executeTakeFirst();
      return (
        inserted ??
        db
          .selectFrom('assistants')
          .selectAll()
          .where('is_default', '=', true)
          .executeTakeFirstOrThrow()
      );
    });
  }

  /** Serialises the tenant's assistant writes (slugs, the one default) until `tx` ends. */
  async lockTenant(tx: ScopedTransaction): Promise<void> {
    await this.query(tx, (db) =>
      sql`SELECT pg_advisory_xact_lock(hashtext('assistants'), hashtext(${tx.tenantId}))`.execute(
        db,
      ),
    );
  }

  async slugsLike(tx: ScopedTransaction, base: string): Promise<Set<string>> {
    const rows = await this.query(tx, (db) =>
      db
        .selectFrom('assistants')
        .select('slug')
        .where((eb) =>
          eb.or([eb('slug', '=', base), eb('slug', 'like', `${base.replace(/[_%]/g, '')}-%`)]),
        )
        .execute(),
    );
    return new Set(rows.map((row) => row.slug));
  }

  async slugTaken(tx: ScopedTransaction, slug: string, exceptId?: string): Promise<boolean> {
    const row = await this.query(tx, (db) => {
      let query = db.selectFrom('assistants').select('id').where('slug', '=', slug);
      if (exceptId) {
        query = query.where('id', '<>', exceptId);
      }
      return query.executeTakeFirst();
    });
    return row !== undefined;
  }

  async clearDefault(tx: ScopedTransaction): Promise<void> {
    await this.query(tx, (db) =>
      db
        .updateTable('assistants')
        .set({ is_default: false, updated_at: sql`now()` })
        .where('is_default', '=', true)
        .execute(),
    );
  }

  insert(tx: ScopedTransaction, columns: AssistantColumns): Promise<AssistantRow> {
    return this.query(tx, (db) =>
      db
        .insertInto('assistants')
        .values({ ...columns, tenant_id: tx.tenantId })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  update(tx: ScopedTransaction, id: string, columns: AssistantColumns): Promise<AssistantRow> {
    return this.query(tx, (db) =>
      db
        .updateTable('assistants')
        .set({ ...columns, updated_at: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  async delete(tx: ScopedTransaction, id: string): Promise<void> {
    await this.query(tx, (db) => db.deleteFrom('assistants').where('id', '=', id).execute());
  }
}
