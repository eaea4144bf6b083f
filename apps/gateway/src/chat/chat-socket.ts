import {
  DomainError,
  ErrorCode,
  chatRequestSchema,
  parseOrThrow,
  type ChatRequest,
  type Role,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import type { RequestContext } from '@tenantbot/tenant-context';
import type { RedisStreamsClient } from '@tenantbot/transport';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { toHttpError } from '../http/error-response';
import type { HttpMetrics } from '../http/http-metrics';
import { GuardedWebSocketServer, errorFrame } from '../websocket/guarded-websocket-server';
import type { SocketSession, SocketSessions } from '../websocket/socket-sessions';
import { refuseUpgrade, type UpgradeRouter } from '../websocket/upgrade-router';
import type {
  VisitorConnection,
  VisitorSocketChannel,
} from '../web-channel/visitor-socket-channel';
import { chatStream } from './chat-stream';

export const CHAT_SOCKET_PATH = '/api/v1/chat/ws';
const CHATTERS: readonly Role[] = ['super_admin', 'tenant_admin', 'agent', 'user'];
const MAX_FRAME_BYTES = 64 * 1024;

const clientMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('message'),
      content: z.string(),
      conversation_id: z.uuid().optional(),
    })
    .strict(),
  z.object({ type: z.literal('typing'), is_typing: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);

/**
 * `WS /api/v1/chat/ws?token=…[&tenant=…]`: the chat over a WebSocket. Messages in:
 * `{type: "message", content, conversation_id?}`, `{type: "typing"}`, `{type: "ping"}`.
 * Out: `{type: "delta", content}` as the model writes, then `{type: "done", …answer}`;
 * `{type: "error", code, message}`; `{type: "pong"}`; `{type: "typing", is_typing}` while an
 * answer is being prepared. One answer at a time per socket. A widget visitor's token opens the
 * same socket, answered within the widget's limits.
 * Every chat message counts against the request limits (over them: an `error` frame with
 * `retry_after_s`, the socket stays open). A socket whose caller is no longer valid gets a last
 * `error` frame and is closed with 4000 + the error's HTTP status (4401, 4403).
 */
/** Who is on a socket, and how each of its chat messages is admitted. */
interface SocketCaller {
  readonly context: RequestContext;
  /** The context to answer one message in, and the request as admitted (or the refusal). */
  admit(
    ws: WebSocket,
    request: ChatRequest,
  ): Promise<{ context: RequestContext; request: ChatRequest }>;
}

export class ChatSocket {
  private readonly sockets: GuardedWebSocketServer;

  constructor(
    private readonly sessions: SocketSessions,
    private readonly transport: RedisStreamsClient,
    private readonly metrics: HttpMetrics,
    private readonly logger: Logger,
    private readonly visitors?: VisitorSocketChannel,
  ) {
    this.sockets = new GuardedWebSocketServer(CHAT_SOCKET_PATH, MAX_FRAME_BYTES, logger, metrics);
  }

  attach(upgrades: UpgradeRouter): void {
    upgrades.add(CHAT_SOCKET_PATH, (request, socket, head, url) =>
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
    let caller: SocketCaller;
    try {
      const token = url.searchParams.get('token') ?? '';
      if (!token)
        throw new DomainError(
          ErrorCode.UNAUTHORIZED,
          'pass the access token or API key as ?token=',
        );
      caller = this.visitors?.isVisitorToken(token)
        ? this.visitorCaller(await this.visitors.connect(token, request, requestId))
        : await this.userCaller(request, socket, url, token, requestId);
    } catch (error) {
      return refuseUpgrade(socket, error, this.logger, requestId);
    }
    this.sockets.accept(request, socket, head, (ws) => this.serve(ws, caller), {
      request_id: requestId,
      tenant_id: caller.context.tenantId,
    });
  }

  /** A user or API key: re-checked and admitted by the request limits on every message. */
  private async userCaller(
    request: IncomingMessage,
    socket: Duplex,
    url: URL,
    token: string,
    requestId: string,
  ): Promise<SocketCaller & { session: SocketSession }> {
    const where = {
      tenantRef: url.searchParams.get('tenant') ?? undefined,
      host: request.headers.host?.split(':')[0],
    };
    const session = await this.sessions.open(
      { bearer: token, where, roles: CHATTERS, requestId },
      socket,
    );
    return {
      session,
      context: session.context,
      admit: async (ws, chat) => ({ context: await session.admitMessage(ws), request: chat }),
    };
  }

  /** A widget visitor: each message counts against the widget's limits before anything is spent. */
  private visitorCaller(visitor: VisitorConnection): SocketCaller {
    const channel = this.visitors as VisitorSocketChannel;
    return {
      context: visitor.context,
      admit: async (_ws, chat) => ({
        context: visitor.context,
        request: await channel.admit(visitor, chat),
      }),
    };
  }

  private serve(ws: WebSocket, caller: SocketCaller): void {
    let answering: Subscription | undefined;
    // From a message's arrival to its answer's `done` or `error` frame (the transport's stream
    // may complete a little after `done`: a client that asks again at once is not refused).
    let busy = false;
    const connection = caller.context;
    const send = (message: object) => ws.send(JSON.stringify(message));
    if ('session' in caller) (caller.session as SocketSession).watch(ws);
    ws.on('close', () => answering?.unsubscribe());
    ws.on('message', (data) => {
      let message: z.output<typeof clientMessageSchema>;
      try {
        message = parseOrThrow(clientMessageSchema, JSON.parse(String(data)));
      } catch (error) {
        return send({
          type: 'error',
          ...toHttpError(
            error instanceof SyntaxError ? malformed() : error,
            connection.requestId,
            this.logger,
          ),
        });
      }
      if (message.type === 'ping') return send({ type: 'pong' });
      if (message.type === 'typing') return;
      if (busy) {
        return send({
          type: 'error',
          code: ErrorCode.CONFLICT,
          message: 'wait for the current answer to finish',
        });
      }
      let request: ChatRequest;
      try {
        request = parseOrThrow(chatRequestSchema, {
          message: message.content,
          conversation_id: message.conversation_id,
          stream: true,
        });
      } catch (error) {
        return send({ type: 'error', ...toHttpError(error, connection.requestId, this.logger) });
      }
      busy = true;
      let finished = false;
      const finish = (frame?: object) => {
        if (finished) return;
        finished = true;
        busy = false;
        if (frame) send(frame);
      };
      void caller.admit(ws, request).then(
        ({ context, request: admitted }) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          let typing = true;
          const stopTyping = () => {
            if (typing) send({ type: 'typing', is_typing: false });
            typing = false;
          };
          send({ type: 'typing', is_typing: true });
          answering = chatStream(this.transport, context, admitted).subscribe({
            next: (event) => {
              stopTyping();
              if (event.type !== 'done') return send(event);
              this.metrics.chatAnswered(context.tenantId, event);
              finish(event);
            },
            error: (error: unknown) => {
              stopTyping();
              finish({ type: 'error', ...toHttpError(error, context.requestId, this.logger) });
            },
            complete: () => {
              stopTyping();
              finish();
            },
          });
        },
        (error: unknown) => finish(errorFrame(error, connection.requestId, this.logger)),
      );
    });
  }
}

function malformed(): DomainError {
  return new DomainError(ErrorCode.MALFORMED_JSON, 'messages are JSON objects');
}
