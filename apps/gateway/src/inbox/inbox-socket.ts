import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { z } from 'zod';

import { DomainError, ErrorCode, parseOrThrow, type Role } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { toHttpError } from '../http/error-response';
import { HttpMetrics } from '../http/http-metrics';
import { LiveConversations } from '../live/live-conversations';
import { LOGGER } from '../tokens';
import { GuardedWebSocketServer } from '../websocket/guarded-websocket-server';
import { type SocketSession, SocketSessions } from '../websocket/socket-sessions';
import { refuseUpgrade, UpgradeRouter } from '../websocket/upgrade-router';

export const INBOX_SOCKET_PATH = '/api/v1/inbox/ws';
const MAX_FRAME_BYTES = 16 * 1024;
const AGENTS = ['tenant_admin', 'agent'] as const satisfies readonly Role[];

const agentFrameSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('typing'),
      conversation_id: z.uuid(),
      is_typing: z.boolean().default(true),
    })
    .strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);

/**
 * `WS /api/v1/inbox/ws?token=…[&tenant=…]`, for agents and tenant admins: the tenant's
 * handoffs live. Out: `conversation.waiting`, `conversation.claimed`, `conversation.released`,
 * `conversation.closed` (`{type, conversation}`), `message` (`{type, conversation_id,
 * message}`: users', agents' and internal notes), `typing` (`{type, conversation_id,
 * is_typing, from}`). In: `{type: "typing", conversation_id, is_typing}` (the user sees it),
 * `{type: "ping"}`. Admitted and re-checked like the chat socket.
 */
@Injectable()
export class InboxSocket implements OnModuleInit {
  private readonly sockets: GuardedWebSocketServer;

  constructor(
    private readonly upgrades: UpgradeRouter,
    private readonly sessions: SocketSessions,
    private readonly live: LiveConversations,
    metrics: HttpMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sockets = new GuardedWebSocketServer(INBOX_SOCKET_PATH, MAX_FRAME_BYTES, logger, metrics);
  }

  onModuleInit(): void {
    this.upgrades.add(INBOX_SOCKET_PATH, (request, socket, head, url) =>
      this.accept(request, socket, head, url),
    );
  }

  private async accept(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
  ): Promise<void> {
    const requestId = randomUUID();
    let session: SocketSession;
    let tenantId: string;
    try {
      const token = url.searchParams.get('token') ?? '';
      if (!token) {
        throw new DomainError(ErrorCode.UNAUTHORIZED, 'pass the access token as ?token=');
      }
      const where = {
        tenantRef: url.searchParams.get('tenant') ?? undefined,
        host: request.headers.host?.split(':')[0],
      };
      session = await this.sessions.open(
        { bearer: token, where, roles: AGENTS, requestId },
        socket,
      );
      tenantId = tenantOf(session);
    } catch (error) {
      return refuseUpgrade(socket, error, this.logger, requestId);
    }
    this.sockets.accept(request, socket, head, (ws) => this.serve(ws, session, tenantId), {
      request_id: requestId,
      tenant_id: tenantId,
    });
  }

  private serve(ws: WebSocket, session: SocketSession, tenantId: string): void {
    session.watch(ws);
    this.live.addAgent(tenantId, ws);
    ws.on('message', (data) => this.receive(ws, tenantId, session, String(data)));
  }

  private receive(ws: WebSocket, tenantId: string, session: SocketSession, data: string): void {
    try {
      const frame = parseOrThrow(agentFrameSchema, JSON.parse(data));
      if (frame.type === 'ping') {
        return ws.send(JSON.stringify({ type: 'pong' }));
      }
      // Filed under the agent's tenant: a conversation of another tenant has no listener there.
      this.live.typing(tenantId, frame.conversation_id, 'agent', frame.is_typing);
    } catch (error) {
      const reason =
        error instanceof SyntaxError
          ? new DomainError(ErrorCode.MALFORMED_JSON, 'frames are JSON objects')
          : error;
      ws.send(
        JSON.stringify({
          type: 'error',
          ...toHttpError(reason, session.context.requestId, this.logger),
        }),
      );
    }
  }
}

function tenantOf(session: SocketSession): string {
  const { tenantId } = session.context;
  if (!tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'the inbox is a tenant’s: name it');
  }
  return tenantId;
}
