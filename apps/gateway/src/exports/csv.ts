import { stringify } from 'csv-stringify/sync';

import type { ExportedConversation, UsageReport } from '@tenantbot/contracts';

export const CONVERSATION_CSV_COLUMNS = [
  'conversation_id',
  'conversation_title',
  'conversation_created_at',
  'user_id',
  'api_key_id',
  'visitor_id',
  'message_id',
  'role',
  'content',
  'model',
  'message_created_at',
  'sources',
  'feedback_rating',
  'feedback_comment',
] as const;

/** One CSV row a message (a conversation without messages: one row with empty message fields). */
export function conversationCsvRows(conversations: ExportedConversation[]): string {
  const rows = conversations.flatMap((conversation) => {
    const head = [
      conversation.id,
      conversation.title,
      conversation.created_at,
      conversation.user_id ?? '',
      conversation.api_key_id ?? '',
      conversation.visitor_id ?? '',
    ];
    if (conversation.messages.length === 0) {
      return [[...head, '', '', '', '', '', '', '', '']];
    }
    return conversation.messages.map((message) => [
      ...head,
      message.id,
      message.role,
      message.content,
      message.model ?? '',
      message.created_at,
      JSON.stringify(message.sources),
      message.feedback?.rating ?? '',
      message.feedback?.comment ?? '',
    ]);
  });
  return rows.length === 0 ? '' : stringify(rows);
}

export function csvHeader(columns: readonly string[]): string {
  return stringify([[...columns]]);
}

export const USAGE_CSV_COLUMNS = [
  'key',
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cost_usd',
] as const;

/** The usage report's rows as CSV, keyed by its grouping (day, model or user). */
export function usageCsv(report: UsageReport): string {
  return stringify(
    report.rows.map((row) => USAGE_CSV_COLUMNS.map((column) => row[column])),
    { header: true, columns: [...USAGE_CSV_COLUMNS] },
  );
}
