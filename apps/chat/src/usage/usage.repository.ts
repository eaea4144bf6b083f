import { Injectable } from '@nestjs/common';
import {
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  sql,
  type SqlBool,
} from 'kysely';

import type { ChatStats, HandoffStats, TenantId, UsageQuery, UsageRow } from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type Schema,
  tenantOfScope,
  TenantScopedRepository,
} from '@tenantbot/database';

/** A half-open time range: `from` inclusive, `to` exclusive. */
export interface UsagePeriod {
  from: Date;
  to: Date;
}

/** One tenant's records, or (a super admin's platform view) every tenant's. */
export type ReportedScope = InTenant | AcrossTenants;

export type UsageGroup = UsageQuery['group_by'];
export type UsageSums = Omit<UsageRow, 'key'>;
export type TopTenant = NonNullable<ChatStats['top_tenants']>[number];
type Activity = Pick<ChatStats, 'this_month' | 'last_24h'>;
type Counts = Pick<ChatStats, 'conversations' | 'messages' | 'feedback'>;
/** What PostgreSQL answers for count() and sum(): bigint and numeric arrive as exact text. */
type Aggregate = string | number | bigint | null;

/** What names a record's group: its UTC day, its model, or its user (`key:<id>` for an API key). */
const GROUP_KEYS: Record<UsageGroup, RawBuilder<string>> = {
  day: sql`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  model: sql`model`,
  user: sql`COALESCE(user_id::text, 'key:' || api_key_id::text, 'unknown')`,
};

/**
 * Usage records (the chat feature writes one per exchange) and the conversations they count,
 * aggregated for the admin's reports. A report of the platform reads across tenants.
 */
@Injectable()
export class UsageRepository extends TenantScopedRepository {
  /** Sums per group over the period, sorted by key, and the totals (one ROLLUP pass). */
  async summarize(
    scope: ReportedScope,
    period: UsagePeriod,
    groupBy: UsageGroup,
  ): Promise<{ rows: UsageRow[]; totals: UsageSums }> {
    const tenantId = tenantOfScope(scope);
    const groups = await this.query(scope, (db) =>
      db
        .selectFrom((records) =>
          records
            .selectFrom('usage_records')
            .select([
              GROUP_KEYS[groupBy].as('key'),
              'outcome',
              'input_tokens',
              'output_tokens',
              'cost_usd',
            ])
            .where('created_at', '>=', period.from)
            .where('created_at', '<', period.to)
            .where((eb) => ofTenant(eb, tenantId))
            .as('records'),
        )
        .select((eb) => [
          sql<boolean>`grouping(key) = 1`.as('is_total'),
          'key',
          eb.fn.countAll().as('requests'),
          eb.fn.countAll().filterWhere('outcome', '=', 'error').as('errors'),
          eb.fn.sum('input_tokens').as('input_tokens'),
          eb.fn.sum('output_tokens').as('output_tokens'),
          eb.fn.sum('cost_usd').as('cost_usd'),
        ])
        .groupBy(sql`ROLLUP (key)`)
        .orderBy(sql`grouping(key)`)
        .orderBy(sql`key COLLATE "C"`)
        .execute(),
    );
    const total = groups.find((group) => group.is_total);
    return {
      rows: groups
        .filter((group) => !group.is_total)
        .map((group) => ({ key: group.key, ...sums(group) })),
      totals: sums(total ?? {}),
    };
  }

  /** How many conversations and messages the scope holds. */
  async counts(scope: ReportedScope): Promise<Counts> {
    const tenantId = tenantOfScope(scope);
    const counted = await this.query(scope, (db) =>
      db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('conversations')
            .where((row) => ofTenant(row, tenantId))
            .select((row) => row.fn.countAll().as('n'))
            .as('conversations'),
          eb
            .selectFrom('messages')
            .where((row) => ofTenant(row, tenantId))
            .select((row) => row.fn.countAll().as('n'))
            .as('messages'),
          ...(['up', 'down'] as const).map((rating) =>
            eb
              .selectFrom('message_feedback')
              .where((row) => ofTenant(row, tenantId))
              .where('rating', '=', rating)
              .select((row) => row.fn.countAll().as('n'))
              .as(`feedback_${rating}`),
          ),
        ])
        .executeTakeFirstOrThrow(),
    );
    return {
      conversations: count(counted.conversations),
      messages: count(counted.messages),
      feedback: { up: count(counted.feedback_up), down: count(counted.feedback_down) },
    };
  }

  /** Conversations handed to people, claimed, how fast, and who resolved them. */
  async handoffs(scope: ReportedScope): Promise<HandoffStats> {
    const tenantId = tenantOfScope(scope);
    const row = await this.query(scope, (db) =>
      db
        .selectFrom('conversations')
        .where((eb) => ofTenant(eb, tenantId))
        .select((eb) => [
          eb.fn.countAll().filterWhere('handoff_requested_at', 'is not', null).as('requested'),
          eb.fn.countAll().filterWhere('claimed_at', 'is not', null).as('claimed'),
          eb.fn.countAll().filterWhere('handoff_requested_at', 'is', null).as('by_bot'),
          sql<Aggregate>`percentile_cont(0.5) WITHIN GROUP (
            ORDER BY extract(epoch FROM claimed_at - handoff_requested_at))
            FILTER (WHERE claimed_at IS NOT NULL)`.as('median'),
        ])
        .executeTakeFirstOrThrow(),
    );
    return {
      requested: count(row.requested),
      claimed: count(row.claimed),
      median_seconds_to_claim:
        row.median === null ? null : Math.round(Number(row.median) * 1000) / 1000,
      resolved_by_bot: count(row.by_bot),
      resolved_by_person: count(row.claimed),
    };
  }

  /** Tokens and cost since the month began; requests and errors since a day ago. */
  async activity(
    scope: ReportedScope,
    since: { monthStart: Date; dayAgo: Date },
  ): Promise<Activity> {
    const tenantId = tenantOfScope(scope);
    const earliest = since.monthStart < since.dayAgo ? since.monthStart : since.dayAgo;
    const row = await this.query(scope, (db) =>
      db
        .selectFrom('usage_records')
        .where('created_at', '>=', earliest)
        .where((eb) => ofTenant(eb, tenantId))
        .select((eb) => [
          eb.fn.sum('input_tokens').filterWhere('created_at', '>=', since.monthStart).as('input'),
          eb.fn.sum('output_tokens').filterWhere('created_at', '>=', since.monthStart).as('output'),
          eb.fn.sum('cost_usd').filterWhere('created_at', '>=', since.monthStart).as('cost'),
          eb.fn.countAll().filterWhere('created_at', '>=', since.dayAgo).as('requests'),
          eb.fn
            .countAll()
            .filterWhere('created_at', '>=', since.dayAgo)
            .filterWhere('outcome', '=', 'error')
            .as('errors'),
        ])
        .executeTakeFirstOrThrow(),
    );
    return {
      this_month: {
        input_tokens: count(row.input),
        output_tokens: count(row.output),
        cost_usd: count(row.cost),
      },
      last_24h: { requests: count(row.requests), errors: count(row.errors) },
    };
  }

  /** The platform's busiest tenants since a moment: most requests first. */
  async busiestTenants(platform: AcrossTenants, since: Date, limit: number): Promise<TopTenant[]> {
    const rows = await this.query(platform, (db) =>
      db
        .selectFrom('usage_records')
        .where('created_at', '>=', since)
        .groupBy('tenant_id')
        .select((eb) => [
          'tenant_id',
          eb.fn.countAll().as('requests'),
          eb.fn.sum(eb('input_tokens', '+', eb.ref('output_tokens'))).as('tokens'),
          eb.fn.sum('cost_usd').as('cost_usd'),
        ])
        .orderBy((eb) => eb.fn.countAll(), 'desc')
        .orderBy('tenant_id')
        .limit(limit)
        .execute(),
    );
    return rows.map((row) => ({
      tenant_id: row.tenant_id,
      requests: count(row.requests),
      tokens: count(row.tokens),
      cost_usd: count(row.cost_usd),
    }));
  }
}

/**
 * Confines a query to its tenant, if it has one. Row-level security confines it already;
 * saying so also lets the planner use the tenant's indexes.
 */
function ofTenant(
  eb: ExpressionBuilder<
    Schema,
    'conversations' | 'messages' | 'usage_records' | 'message_feedback'
  >,
  tenantId: TenantId | undefined,
): Expression<SqlBool> {
  return tenantId === undefined ? eb.lit(true) : eb('tenant_id', '=', tenantId);
}

/**
 * Exact sums as numbers. Counts and tokens are integers; the cost's text has 6 decimals, so
 * `Number` gives the double nearest to the exact micro-dollar amount.
 */
function sums(row: Partial<Record<keyof UsageSums, Aggregate>>): UsageSums {
  return {
    requests: count(row.requests),
    errors: count(row.errors),
    input_tokens: count(row.input_tokens),
    output_tokens: count(row.output_tokens),
    cost_usd: count(row.cost_usd),
  };
}

function count(value: Aggregate | undefined): number {
  return Number(value ?? 0);
}
