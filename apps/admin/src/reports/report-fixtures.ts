import type { ChatStats, RagStats, TenantsStats } from '@tenantbot/contracts';

/** What the owning services answer in the admin service's tests. */
export const TENANTS_STATS: TenantsStats = { users: { total: 3, by_role: { user: 3 } } };
export const RAG_STATS: RagStats = {
  documents: { total: 2, by_status: { completed: 2 } },
  chunks: 9,
};
export const CHAT_STATS: ChatStats = {
  conversations: 4,
  messages: 8,
  handoffs: {
    requested: 2,
    claimed: 1,
    median_seconds_to_claim: 42,
    resolved_by_bot: 2,
    resolved_by_person: 1,
  },
  this_month: { input_tokens: 10, output_tokens: 20, cost_usd: 0.5 },
  last_24h: { requests: 8, errors: 1 },
};
