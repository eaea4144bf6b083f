import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { WebSocket } from 'ws';

import {
  LIVE_EVENTS,
  type LiveConversationEvent,
  liveConversationEventSchema,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';

import { LOGGER } from '../tokens';

type Status = Extract<LiveConversationEvent, { kind: 'status' }>['conversation']['status'];

/** What the agents' inbox socket is told of each new state of a conversation. */
const AGENT_STATUS_FRAMES: Record<Status, string> = {
  waiting_human: 'conversation.waiting',
  human: 'conversation.claimed',
  closed: 'conversation.closed',
  bot: 'conversation.released',
};

/**
 * The live side of the handoff on this replica: which sockets it holds (a tenant's agents on
 * the inbox socket; the owner of a conversation on the chat socket), and the conversations'
 * changes broadcast by the chat service or another replica, handed to those sockets. Every
 * socket is filed under the tenant its caller was admitted in: an event reaches only that
 * tenant's sockets, and an owner's socket only its own conversations' — never an internal note.
 */
@Injectable()
export class LiveConversations implements OnModuleInit {
  private readonly agents = new Map<string, Set<WebSocket>>();
  private readonly owners = new Map<string, Set<WebSocket>>();

  constructor(
    private readonly transport: RedisStreamsClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): Promise<void> {
    return this.transport.onBroadcast(LIVE_EVENTS.CONVERSATION, {
      received: (data) => this.received(data),
      missed: () => this.logger.warn('live conversation events may have been missed'),
    });
  }

  /** An agent's inbox socket: every live event of its tenant, until it closes. */
  addAgent(tenantId: string, ws: WebSocket): void {
    this.file(this.agents, tenantId, ws);
  }

  /** The owner's chat socket follows its conversation: agents' replies, typing, status. */
  follow(tenantId: string, conversationId: string, ws: WebSocket): void {
    this.file(this.owners, ownerKey(tenantId, conversationId), ws);
  }

  /** Typing on a socket of this replica, told to every replica's sockets of the conversation. */
  typing(tenantId: string, conversationId: string, from: 'user' | 'agent', isTyping: boolean) {
    this.publish({ kind: 'typing', tenantId, conversationId, from, is_typing: isTyping });
  }

  private publish(event: LiveConversationEvent): void {
    this.transport
      .broadcast(LIVE_EVENTS.CONVERSATION, event)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'a typing event was lost'));
  }

  private received(data: unknown): void {
    const parsed = liveConversationEventSchema.safeParse(data);
    if (!parsed.success) {
      return this.logger.warn('a malformed live conversation event was dropped');
    }
    const event = parsed.data;
    const toAgents = agentFrame(event);
    for (const ws of this.agents.get(event.tenantId) ?? []) {
      send(ws, toAgents);
    }
    const toOwner = ownerFrame(event);
    if (toOwner) {
      for (const ws of this.owners.get(ownerKey(event.tenantId, event.conversationId)) ?? []) {
        send(ws, toOwner);
      }
    }
  }

  private file(index: Map<string, Set<WebSocket>>, key: string, ws: WebSocket): void {
    const sockets = index.get(key) ?? new Set<WebSocket>();
    if (sockets.has(ws)) {
      return;
    }
    sockets.add(ws);
    index.set(key, sockets);
    ws.once('close', () => {
      sockets.delete(ws);
      if (sockets.size === 0) {
        index.delete(key);
      }
    });
  }
}

function agentFrame(event: LiveConversationEvent): object {
  switch (event.kind) {
    case 'message':
      return { type: 'message', conversation_id: event.conversationId, message: event.message };
    case 'status':
      return {
        type: AGENT_STATUS_FRAMES[event.conversation.status],
        conversation: event.conversation,
      };
    case 'typing':
      return {
        type: 'typing',
        conversation_id: event.conversationId,
        is_typing: event.is_typing,
        from: event.from,
      };
  }
}

/** What the conversation's user or visitor sees: people's messages, agents' typing, status. */
function ownerFrame(event: LiveConversationEvent): object | undefined {
  switch (event.kind) {
    case 'message': {
      const { message } = event;
      const fromPeople = message.role === 'agent' || message.role === 'system';
      return fromPeople && !message.internal
        ? { type: 'message', conversation_id: event.conversationId, message }
        : undefined;
    }
    case 'status':
      return {
        type: 'status',
        conversation_id: event.conversationId,
        status: event.conversation.status,
        assigned_agent_id: event.conversation.assigned_agent_id,
      };
    case 'typing':
      return event.from === 'agent'
        ? {
            type: 'typing',
            conversation_id: event.conversationId,
            is_typing: event.is_typing,
            from: 'agent',
          }
        : undefined;
  }
}

function ownerKey(tenantId: string, conversationId: string): string {
  return `${tenantId}:${conversationId}`;
}

function send(ws: WebSocket, frame: object): void {
  if (ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify(frame));
  }
}
