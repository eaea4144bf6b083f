import { Injectable } from '@nestjs/common';

import type { ExportedConversation, TenantId } from '@tenantbot/contracts';
import { TenantScopedRepository } from '@tenantbot/database';

import type { UsagePeriod } from '../usage/usage.repository';

/** Where the previous page ended: conversations are read in (created_at, id) order. */
export interface ExportCursor {
  createdAt: Date;
  id: string;
}

/** The tenant's conversations of a period with their messages and feedback, page by page. */
@Injectable()
export class ExportRepository extends TenantScopedRepository {
  page(
    tenant: TenantId,
    period: UsagePeriod,
    after: ExportCursor | undefined,
    size: number,
  ): Promise<ExportedConversation[]> {
    return this.query(tenant, async (db) => {
      let query = db
        .selectFrom('conversations')
        .select(['id', 'title', 'user_id', 'api_key_id', 'visitor_id', 'created_at', 'updated_at'])
        .where('created_at', '>=', period.from)
        .where('created_at', '<', period.to);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '>', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
          ]),
        );
      }
      const conversations = await query.orderBy('created_at').orderBy('id').limit(size).execute();
      if (conversations.length === 0) {
        return [];
      }
      const messages = await db
        .selectFrom('messages as m')
        .leftJoin('message_feedback as f', 'f.message_id', 'm.id')
        .select([
          'm.id',
          'm.conversation_id',
          'm.role',
          'm.content',
          'm.sources',
          'm.model',
          'm.created_at',
          'f.rating',
          'f.comment',
        ])
        .where(
          'm.conversation_id',
          'in',
          conversations.map((conversation) => conversation.id),
        )
        .orderBy('m.conversation_id')
        .orderBy('m.seq')
        .execute();
      return conversations.map((conversation) => ({
        ...conversation,
        created_at: conversation.created_at.toISOString(),
        updated_at: conversation.updated_at.toISOString(),
        messages: messages
          .filter((message) => message.conversation_id === conversation.id)
          .map((message) => ({
            id: message.id,
            role: message.role,
            content: message.content,
            // As the answer stored them (ChatSource[]); passed on, not reinterpreted.
            sources: Array.isArray(message.sources) ? message.sources : [],
            model: message.model,
            created_at: message.created_at.toISOString(),
            feedback:
              message.rating === 'up' || message.rating === 'down'
                ? { rating: message.rating, comment: message.comment }
                : null,
          })),
      }));
    });
  }
}
