import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import {
  type Caller,
  DomainError,
  ErrorCode,
  FEEDBACK_RATINGS,
  type FeedbackRequest,
  type FeedbackView,
} from '@tenantbot/contracts';
import { TenantDatabase } from '@tenantbot/database';

import type { OwnerFilter } from '../conversation/conversation.repository';
import { FeedbackRepository, type FeedbackRow } from './feedback.repository';

/**
 * Thumbs up or down on an answer, by whoever owns its conversation (the user, the API key or
 * the widget's visitor): no one rates another's conversation, admins included. One rating per
 * answer; a repeat replaces it. Each rating is announced as `message.feedback`.
 */
@Injectable()
export class FeedbackService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly feedback: FeedbackRepository,
  ) {}

  async rate(caller: Caller, request: FeedbackRequest): Promise<FeedbackView> {
    const owner = ownerOf(caller);
    return this.database.transaction(caller.tenantId, async (tx) => {
      const message = await this.feedback.findOwnedMessage(tx, request.message_id, owner);
      if (!message) {
        throw new DomainError(ErrorCode.MESSAGE_NOT_FOUND, 'message not found');
      }
      if (message.role !== 'assistant') {
        throw new DomainError(
          ErrorCode.MESSAGE_NOT_RATEABLE,
          'feedback is given on the assistant’s answers only',
        );
      }
      const comment = request.comment ? request.comment : null;
      const row = await this.feedback.upsert(tx, message, request.rating, comment);
      await this.feedback.recordEvent(tx, {
        tenantId: caller.tenantId,
        eventId: randomUUID(),
        message_id: message.id,
        conversation_id: message.conversation_id,
        rating: request.rating,
        has_comment: comment !== null,
      });
      return toFeedbackView(row);
    });
  }
}

function ownerOf(caller: Caller): Exclude<OwnerFilter, 'tenant'> {
  if (caller.visitor) {
    return caller.visitor;
  }
  if (caller.userId) {
    return { userId: caller.userId };
  }
  if (caller.apiKeyId) {
    return { apiKeyId: caller.apiKeyId };
  }
  throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
}

function toFeedbackView(row: FeedbackRow): FeedbackView {
  const rating = FEEDBACK_RATINGS.find((known) => known === row.rating);
  if (!rating) {
    throw new Error(`message_feedback.rating holds "${row.rating}", which this code does not know`);
  }
  return {
    message_id: row.message_id,
    conversation_id: row.conversation_id,
    rating,
    comment: row.comment,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
