import type { IncomingMessage } from 'node:http';

import { Injectable } from '@nestjs/common';

import type { ChatRequest, OpenedWidget } from '@tenantbot/contracts';
import type { RequestContext } from '@tenantbot/tenant-context';

import { VisitorAuthenticator } from './visitor-authenticator';
import { VisitorChat } from './visitor-chat';

export interface VisitorConnection {
  context: RequestContext;
  widget: OpenedWidget['widget'];
}

/**
 * The chat WebSocket's door for widget visitors: the same visitor-token checks as HTTP
 * (origin of the upgrade request included) and the same message limits per message.
 */
@Injectable()
export class VisitorSocketChannel {
  constructor(
    private readonly visitors: VisitorAuthenticator,
    private readonly chat: VisitorChat,
  ) {}

  isVisitorToken(token: string): boolean {
    return this.visitors.isVisitorToken(token);
  }

  async connect(
    token: string,
    request: IncomingMessage,
    requestId: string,
  ): Promise<VisitorConnection> {
    const { context, widget } = await this.visitors.authenticate(
      token,
      request.headers.origin,
      requestId,
    );
    return { context, widget };
  }

  admit(connection: VisitorConnection, request: ChatRequest): Promise<ChatRequest> {
    return this.chat.admit(
      connection.context.principal ?? { role: 'visitor' },
      connection.widget,
      request,
    );
  }
}
