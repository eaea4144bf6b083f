import { Injectable } from '@nestjs/common';

import type { ChatStats, TenantId, UsageQuery, UsageRow } from '@tenantbot/contracts';
import {
  inReportScope,
  tenantCondition,
  TenantScope,
  type TenantTransaction,
} from '@tenantbot/database';

/** Whose records a report reads: one tenant's, or the whole platform's (a super admin's). */
export type UsageScope = { kind: 'tenant'; tenantId: TenantId } | { kind: 'platform' };

/** A half-open time range: `from` inclusive, `to` exclusive. */
export interface UsagePeriod {
  from: Date;
  to: Date;
}

export type UsageGroup = UsageQuery['group_by'];
export type UsageSums = Omit<UsageRow, 'key'>;
export type TopTenant = NonNullable<ChatStats['top_tenants']>[number];
type TenantActivity = Pick<ChatStats, 'this_month' | 'last_24h'>;
type Counts = Pick<ChatStats, 'conversations' | 'messages'>;

/** What names a record's group: its UTC day, its model, or its user (`key:<id>` for an API key). */
const GROUP_KEYS: Record<UsageGroup, string> = {
  day: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  model: `model`,
  user: `COALESCE(user_id::text, 'key:' || api_key_id::text, 'unknown')`,
};

/** Sums arrive as text: bigint and numeric(12,6) exactly, for the caller to turn into numbers. */
const SUMS = `
  count(*)::text AS requests,
  count(*) FILTER (WHERE outcome = 'error')::text AS errors,
  coalesce(sum(input_tokens), 0)::text AS input_tokens,
  coalesce(sum(output_tokens), 0)::text AS output_tokens,
  coalesce(sum(cost_usd), 0)::text AS cost_usd`;

type TextOf<T> = { [K in keyof T]: string };

/**
 * Usage records (the chat feature writes one per exchange) and the conversations they count,
 * aggregated for the admin's reports. A report of the platform reads across tenants.
 */
@Injectable()
export class UsageRepository {
  constructor(private readonly scope: TenantScope) {}

  /** Sums per group over the period, sorted by key, and the totals (one ROLLUP pass). */
  async summarize(
    report: UsageScope,
    period: UsagePeriod,
    groupBy: UsageGroup,
  ): Promise<{ rows: UsageRow[]; totals: UsageSums }> {
    const tenant = tenantCondition(report, 3);
    const rows = await inReportScope(this.scope, report, (tx) =>
      tx.rows<TextOf<UsageSums> & { key: string | null; is_total: boolean }>(
        `SELECT grouping(key) = 1 AS is_total, key, ${SUMS}
         FROM (SELECT ${GROUP_KEYS[groupBy]} AS key, outcome, input_tokens, output_tokens, cost_usd
                 FROM usage_records
                WHERE created_at >= $1 AND created_at < $2 AND ${tenant.sql}) AS records
        GROUP BY ROLLUP (key)
        ORDER BY grouping(key), key COLLATE "C"`,
        [period.from.toISOString(), period.to.toISOString(), ...tenant.parameters],
      ),
    );
    const total = rows.find((row) => row.is_total);
    return {
      rows: rows
        .filter((row) => !row.is_total)
        .map((row) => ({ key: row.key ?? '', ...sums(row) })),
      totals: total ? sums(total) : sums({}),
    };
  }

  /**
   * The report's conversations and messages, its tokens and cost since the month began, its
   * requests and errors since a day ago, and for the platform its busiest tenants.
   */
  stats(
    report: UsageScope,
    since: { monthStart: Date; dayAgo: Date },
    topTenantCount: number,
  ): Promise<ChatStats> {
    return inReportScope(this.scope, report, async (tx) => {
      const counts = await countConversations(tx, report);
      const activity = await activitySince(tx, report, since);
      if (report.kind === 'tenant') {
        return { ...counts, ...activity };
      }
      const topTenants = await busiestTenants(tx, since.monthStart, topTenantCount);
      return { ...counts, ...activity, top_tenants: topTenants };
    });
  }
}

async function countConversations(tx: TenantTransaction, report: UsageScope): Promise<Counts> {
  const tenant = tenantCondition(report, 1);
  const counted = await tx.one<{ conversations: string; messages: string }>(
    `SELECT (SELECT count(*) FROM conversations WHERE ${tenant.sql})::text AS conversations,
            (SELECT count(*) FROM messages WHERE ${tenant.sql})::text AS messages`,
    tenant.parameters,
  );
  return {
    conversations: Number(counted?.conversations ?? 0),
    messages: Number(counted?.messages ?? 0),
  };
}

/** Tokens and cost since the month began; requests and errors since a day ago. */
async function activitySince(
  tx: TenantTransaction,
  report: UsageScope,
  since: { monthStart: Date; dayAgo: Date },
): Promise<TenantActivity> {
  const tenant = tenantCondition(report, 3);
  const [row] = await tx.rows<Record<string, string>>(
    `SELECT coalesce(sum(input_tokens) FILTER (WHERE created_at >= $1), 0)::text AS input_tokens,
              coalesce(sum(output_tokens) FILTER (WHERE created_at >= $1), 0)::text AS output_tokens,
              coalesce(sum(cost_usd) FILTER (WHERE created_at >= $1), 0)::text AS cost_usd,
              count(*) FILTER (WHERE created_at >= $2)::text AS requests,
              count(*) FILTER (WHERE created_at >= $2 AND outcome = 'error')::text AS errors
         FROM usage_records
        WHERE created_at >= least($1::timestamptz, $2::timestamptz) AND ${tenant.sql}`,
    [since.monthStart.toISOString(), since.dayAgo.toISOString(), ...tenant.parameters],
  );
  return {
    this_month: {
      input_tokens: Number(row?.input_tokens ?? 0),
      output_tokens: Number(row?.output_tokens ?? 0),
      cost_usd: Number(row?.cost_usd ?? 0),
    },
    last_24h: { requests: Number(row?.requests ?? 0), errors: Number(row?.errors ?? 0) },
  };
}

/** The platform's busiest tenants since a moment: most requests first. */
async function busiestTenants(
  tx: TenantTransaction,
  since: Date,
  limit: number,
): Promise<TopTenant[]> {
  const rows = await tx.rows<TextOf<TopTenant>>(
    `SELECT tenant_id, count(*)::text AS requests,
              coalesce(sum(input_tokens + output_tokens), 0)::text AS tokens,
              coalesce(sum(cost_usd), 0)::text AS cost_usd
         FROM usage_records
        WHERE created_at >= $1
        GROUP BY tenant_id
        ORDER BY count(*) DESC, tenant_id
        LIMIT $2`,
    [since.toISOString(), limit],
  );
  return rows.map((row) => ({
    tenant_id: row.tenant_id,
    requests: Number(row.requests),
    tokens: Number(row.tokens),
    cost_usd: Number(row.cost_usd),
  }));
}

/**
 * Text sums as numbers. Counts and tokens are integers; the cost's text has 6 decimals, so
 * `Number` gives the double nearest to the exact micro-dollar amount.
 */
function sums(row: Partial<TextOf<UsageSums>>): UsageSums {
  return {
    requests: Number(row.requests ?? 0),
    errors: Number(row.errors ?? 0),
    input_tokens: Number(row.input_tokens ?? 0),
    output_tokens: Number(row.output_tokens ?? 0),
    cost_usd: Number(row.cost_usd ?? 0),
  };
}
