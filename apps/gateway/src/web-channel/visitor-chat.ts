import { Injectable } from '@nestjs/common';

import type { ChatRequest, OpenedWidget } from '@tenantbot/contracts';
import type { Principal } from '@tenantbot/tenant-context';

import { VisitorMessageLimits } from './visitor-limits';

/**
 * What a visitor's chat message may ask: its question, in its own conversation, streamed or
 * not, to an assistant (one the tenant allows on widgets: the chat service checks). A widget
 * with an assistant of its own answers with that one, whatever the visitor names. The model,
 * temperature, token cap and a forged history are the tenant's to choose, not a website
 * visitor's; the widget's message limits are counted here.
 */
@Injectable()
export class VisitorChat {
  constructor(private readonly limits: VisitorMessageLimits) {}

  async admit(
    principal: Principal,
    widget: OpenedWidget['widget'],
    request: ChatRequest,
  ): Promise<ChatRequest> {
    await this.limits.consume(principal, widget.limits);
    const assistantId = widget.assistant_id ?? request.assistant_id;
    return {
      message: request.message,
      use_rag: true,
      stream: request.stream,
      ...(request.conversation_id ? { conversation_id: request.conversation_id } : {}),
      ...(assistantId ? { assistant_id: assistantId } : {}),
    };
  }
}
