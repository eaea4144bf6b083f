import type { ConversationMessage, ConversationSummary } from '@tenantbot/contracts';

import type { ConversationRow, MessageRow } from './conversation.repository';

export function toSummary(row: ConversationRow): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    user_id: row.user_id,
    api_key_id: row.api_key_id,
    status: row.status,
    assigned_agent_id: row.assigned_agent_id,
    channel: row.channel,
    message_count: row.message_count,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toMessage(row: MessageRow): ConversationMessage {
  return {
    id: row.id,
    role: row.role,
    author_id: row.author_id,
    internal: row.internal,
    content: row.content,
    sources: row.sources,
    model: row.model,
    tokens:
      row.input_tokens !== null && row.output_tokens !== null
        ? {
            input: row.input_tokens,
            output: row.output_tokens,
            total: row.input_tokens + row.output_tokens,
          }
        : null,
    cost_usd: row.cost_usd === null ? null : Number(row.cost_usd),
    latency_ms: row.latency_ms,
    created_at: row.created_at.toISOString(),
  };
}
