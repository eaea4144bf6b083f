import { z } from 'zod';

/** Message patterns of the admin service, and the per-service statistics it gathers. */
export const ADMIN = {
  USAGE: 'admin.usage',
  STATS: 'admin.stats',
} as const;

export const USAGE_GROUPS = ['day', 'model', 'user'] as const;

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

export const usageQuerySchema = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    group_by: z.enum(USAGE_GROUPS).default('day'),
    /** Super admin only: one tenant; without it, the whole platform. */
    tenant_id: z.uuid().optional(),
  })
  .strict();
export type UsageQuery = z.output<typeof usageQuerySchema>;

const usageTotalsSchema = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number(),
});

export const usageRowSchema = usageTotalsSchema.extend({
  /** The day (YYYY-MM-DD), model or user id the row sums up. */
  key: z.string(),
});
export type UsageRow = z.output<typeof usageRowSchema>;

export const usageReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  group_by: z.enum(USAGE_GROUPS),
  tenant_id: z.string().nullable(),
  rows: z.array(usageRowSchema),
  totals: usageTotalsSchema,
});
export type UsageReport = z.output<typeof usageReportSchema>;

export const statsQuerySchema = z.object({ tenant_id: z.uuid().optional() }).strict();
export type StatsQuery = z.output<typeof statsQuerySchema>;

const countsBy = z.record(z.string(), z.number().int());

/** What the tenants service knows: tenants by plan and status, users by role. */
export const tenantsStatsSchema = z.object({
  tenants: z
    .object({
      total: z.number().int(),
      by_plan: countsBy,
      active: z.number().int(),
      inactive: z.number().int(),
    })
    .optional(),
  users: z.object({ total: z.number().int(), by_role: countsBy }),
});
export type TenantsStats = z.output<typeof tenantsStatsSchema>;

/** Patterns the admin service calls on the owning services (they answer for the tenant in context, or the platform). */
export const STATS_PATTERNS = {
  RAG: 'rag.stats',
  CHAT: 'chat.stats',
  CHAT_USAGE: 'chat.usage.report',
} as const;

export const ragStatsSchema = z.object({
  documents: z.object({ total: z.number().int(), by_status: countsBy }),
  chunks: z.number().int(),
});
export type RagStats = z.output<typeof ragStatsSchema>;

/**
 * Human handoff: conversations handed to a person (`requested`) and taken by one (`claimed`),
 * the median seconds from the request to the claim, and conversations resolved by the bot
 * (never handed over) or by a person (claimed).
 */
export const handoffStatsSchema = z.object({
  requested: z.number().int(),
  claimed: z.number().int(),
  median_seconds_to_claim: z.number().nullable(),
  resolved_by_bot: z.number().int(),
  resolved_by_person: z.number().int(),
});
export type HandoffStats = z.output<typeof handoffStatsSchema>;
const feedbackCountsSchema = z.object({ up: z.number().int(), down: z.number().int() });

export const chatStatsSchema = z.object({
  conversations: z.number().int(),
  messages: z.number().int(),
  handoffs: handoffStatsSchema,
  /** Ratings of answers (thumbs up, thumbs down). */
  feedback: feedbackCountsSchema.optional(),
  this_month: z.object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: z.number(),
  }),
  last_24h: z.object({ requests: z.number().int(), errors: z.number().int() }),
  /** Platform view only: the tenants with the most requests this month. */
  top_tenants: z
    .array(
      z.object({
        tenant_id: z.string(),
        requests: z.number().int(),
        tokens: z.number().int(),
        cost_usd: z.number(),
      }),
    )
    .optional(),
});
export type ChatStats = z.output<typeof chatStatsSchema>;

export const statsReportSchema = z.object({
  scope: z.enum(['tenant', 'platform']),
  tenant_id: z.string().nullable(),
  tenants: tenantsStatsSchema.shape.tenants,
  users: tenantsStatsSchema.shape.users,
  documents: ragStatsSchema.shape.documents,
  chunks: z.number().int(),
  conversations: z.number().int(),
  messages: z.number().int(),
  handoffs: handoffStatsSchema,
  feedback: feedbackCountsSchema,
  this_month: chatStatsSchema.shape.this_month,
  last_24h: chatStatsSchema.shape.last_24h.extend({ error_rate: z.number() }),
  top_tenants: chatStatsSchema.shape.top_tenants,
});
export type StatsReport = z.output<typeof statsReportSchema>;
