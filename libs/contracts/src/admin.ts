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

export interface UsageRow {
  /** The day (YYYY-MM-DD), model or user id the row sums up. */
  key: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface UsageReport {
  from: string;
  to: string;
  group_by: (typeof USAGE_GROUPS)[number];
  tenant_id: string | null;
  rows: UsageRow[];
  totals: Omit<UsageRow, 'key'>;
}

export const statsQuerySchema = z.object({ tenant_id: z.uuid().optional() }).strict();

/** What the tenants service knows: tenants by plan and status, users by role. */
export interface TenantsStats {
  tenants?: { total: number; by_plan: Record<string, number>; active: number; inactive: number };
  users: { total: number; by_role: Record<string, number> };
}

/** Patterns the admin service calls on the owning services (they answer for the tenant in context, or the platform). */
export const STATS_PATTERNS = {
  RAG: 'rag.stats',
  CHAT: 'chat.stats',
  CHAT_USAGE: 'chat.usage.report',
} as const;

export interface RagStats {
  documents: { total: number; by_status: Record<string, number> };
  chunks: number;
}

export interface ChatStats {
  conversations: number;
  messages: number;
  this_month: { input_tokens: number; output_tokens: number; cost_usd: number };
  last_24h: { requests: number; errors: number };
  /** Platform view only: the tenants with the most requests this month. */
  top_tenants?: { tenant_id: string; requests: number; tokens: number; cost_usd: number }[];
}

export interface StatsReport {
  scope: 'tenant' | 'platform';
  tenant_id: string | null;
  tenants?: TenantsStats['tenants'];
  users: TenantsStats['users'];
  documents: RagStats['documents'];
  chunks: number;
  conversations: number;
  messages: number;
  this_month: ChatStats['this_month'];
  last_24h: ChatStats['last_24h'] & { error_rate: number };
  top_tenants?: ChatStats['top_tenants'];
}
