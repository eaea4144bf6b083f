import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `record_answered_exchange` (ADR 0040) again, with one change: a new conversation's insert
 * does nothing on a conflict with any unique index, not only the primary key. Two deliveries
 * of one request that commit at the same moment both insert the conversation; the one that
 * loses can meet the other's row in `conversations_tenant_id_id_key` (tenant_id, id) before it
 * meets it in the primary key, and an index that is not the `ON CONFLICT` target raises a
 * unique violation there instead of doing nothing. Seen once in a CI run of
 * `apps/chat/test/int/redelivery.spec.ts`; reproduced under CPU load by its "very same moment"
 * test. Either index conflicting means the conversation is already there (its id derives from
 * the tenant and the request), which is what the function then reports (0 written).
 */
export class RecordAnsweredExchangeAnyConflict1797000742000 implements MigrationInterface {
  name = 'RecordAnsweredExchangeAnyConflict1797000742000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(recordAnsweredExchange('ON CONFLICT DO NOTHING'));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(recordAnsweredExchange('ON CONFLICT (id) DO NOTHING'));
  }
}

function recordAnsweredExchange(conversationConflict: string): string {
  return `
      CREATE OR REPLACE FUNCTION record_answered_exchange(
        tenant uuid, exchange uuid,
        conversation uuid, conversation_is_new boolean, title text, owner_user uuid,
        owner_api_key uuid, owner_visitor text, owner_widget uuid, assistant uuid, channel text,
        question_author text, question text,
        answer text, sources jsonb, model text, input_tokens integer, output_tokens integer,
        cost_usd numeric, latency_ms integer,
        usage_user uuid, usage_api_key uuid, request_id text, provider text, outcome text,
        error_code text)
      RETURNS integer LANGUAGE plpgsql SECURITY INVOKER AS $$
      DECLARE
        conversations_found integer;
        written integer;
      BEGIN
        IF conversation_is_new THEN
          -- Its id comes from the exchange's: a second write of the exchange finds it there.
          INSERT INTO conversations AS c (id, tenant_id, user_id, api_key_id, visitor_id, widget_id,
                                          title, assistant_id, channel)
          VALUES (conversation, tenant, owner_user, owner_api_key, owner_visitor, owner_widget,
                  title, assistant, channel)
          ${conversationConflict};
        ELSE
          UPDATE conversations AS c SET updated_at = now() WHERE c.id = conversation;
        END IF;
        GET DIAGNOSTICS conversations_found = ROW_COUNT;
        IF conversations_found = 0 THEN
          RETURN 0;
        END IF;
        -- In this order: their identity seq orders the conversation.
        INSERT INTO messages AS m (tenant_id, conversation_id, exchange_id, role, author_id, content,
                                   sources, model, input_tokens, output_tokens, cost_usd, latency_ms)
        VALUES (tenant, conversation, exchange, 'user', question_author, question, '[]'::jsonb,
                NULL, NULL, NULL, NULL, NULL),
               (tenant, conversation, exchange, 'assistant', NULL, answer, sources, model,
                input_tokens, output_tokens, cost_usd, latency_ms)
        ON CONFLICT (tenant_id, exchange_id, role) WHERE exchange_id IS NOT NULL DO NOTHING;
        GET DIAGNOSTICS written = ROW_COUNT;
        -- Written with the messages only: a second write of the exchange adds no usage.
        IF written > 0 THEN
          INSERT INTO usage_records AS u (tenant_id, user_id, api_key_id, conversation_id,
                                          request_id, model, provider, input_tokens, output_tokens,
                                          cost_usd, latency_ms, outcome, error_code)
          VALUES (tenant, usage_user, usage_api_key, conversation, request_id, model, provider,
                  input_tokens, output_tokens, cost_usd, latency_ms, outcome, error_code);
        END IF;
        RETURN written;
      END $$`;
}
