import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { MessageFeedbackEvent } from '@tenantbot/contracts';
import { type Row, type ScopedTransaction, TenantScopedRepository } from '@tenantbot/database';

import type { OwnerFilter } from '../conversation/conversation.repository';

export type FeedbackRow = Row<'message_feedback'>;

/** A message as feedback sees it: its role, and the conversation it belongs to. */
export interface RatedMessage {
  id: string;
  role: string;
  conversation_id: string;
}

/** One rating per message; a repeat replaces it. */
@Injectable()
export class FeedbackRepository extends TenantScopedRepository {
  /** The message, when it is in a conversation the owner has; undefined otherwise. */
  findOwnedMessage(
    tx: ScopedTransaction,
    id: string,
    owner: Exclude<OwnerFilter, 'tenant'>,
  ): Promise<RatedMessage | undefined> {
    return this.query(tx, (db) => {
      let query = db
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select(['m.id', 'm.role', 'm.conversation_id'])
        .where('m.id', '=', id);
      if ('userId' in owner) {
        query = query.where('c.user_id', '=', owner.userId);
      } else if ('visitorId' in owner) {
        query = query
          .where('c.visitor_id', '=', owner.visitorId)
          .where('c.widget_id', '=', owner.widgetId);
      } else {
        query = query.where('c.api_key_id', '=', owner.apiKeyId);
      }
      return query.executeTakeFirst();
    });
  }

  upsert(
    tx: ScopedTransaction,
    message: RatedMessage,
    rating: string,
    comment: string | null,
  ): Promise<FeedbackRow> {
    return this.query(tx, (db) =>
      db
        .insertInto('message_feedback')
        .values({
          message_id: message.id,
          tenant_id: tx.tenantId,
          conversation_id: message.conversation_id,
          rating,
          comment,
        })
        .onConflict((conflict) =>
          conflict.column('message_id').doUpdateSet({ rating, comment, updated_at: sql`now()` }),
        )
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  /** `message.feedback`, published by the outbox relay once the rating committed. */
  async recordEvent(tx: ScopedTransaction, event: MessageFeedbackEvent): Promise<void> {
    await this.query(tx, (db) =>
      db
        .insertInto('event_outbox')
        .values({ pattern: 'message.feedback', payload: JSON.stringify(event) })
        .execute(),
    );
  }
}
