import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import { z } from 'zod';

import {
  type ChatRequest,
  chatRequestSchema,
  DomainError,
  ErrorCode,
  parseOrThrow,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import type { RequestContext } from '@tenantbot/tenant-context';

import { toHttpError } from '../http/error-response';
import { HttpMetrics } from '../http/http-metrics';
import { LOGGER } from '../tokens';
import {
  type VisitorConnection,
  VisitorSocketChannel,
} from '../web-channel/visitor-socket-channel';
import { errorFrame, GuardedWebSocketServer } from '../websocket/guarded-websocket-server';
import { type SocketSession, SocketSessions } from '../websocket/socket-sessions';
import { refuseUpgrade, UpgradeRouter } from '../websocket/upgrade-router';
import { ChatService } from './chat.service';
import { CHATTERS } from './chat-event-stream';

export const CHAT_SOCKET_PATH = '/api/v1/chat/ws';
const MAX_FRAME_BYTES = 64 * 1024;

const clientMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('message'),
      content: z.string(),
      conversation_id: z.uuid().optional(),
      assistant_id: z.uuid().optional(),
    })
    .strict(),
  z.object({ type: z.literal('typing'), is_typing: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
type ClientMessage = z.output<typeof clientMessageSchema>;

/** Who is on a socket, and how each of its chat messages is admitted. */
interface SocketCaller {
  readonly context: RequestContext;
  /** A user's session, watched while the socket is open; a visitor has none. */
  readonly session?: SocketSession;
  /** The context to answer one message in, and the request as admitted (or the refusal). */
  admit(
    ws: WebSocket,
    request: ChatRequest,
  ): Promise<{ context: RequestContext; request: ChatRequest }>;
}

/**
 * `WS /api/v1/chat/ws?token=…[&tenant=…]`: the chat over a WebSocket. Messages in:
 * `{type: "message", content, conversation_id?, assistant_id?}`, `{type: "typing"}`,
 * `{type: "ping"}`. Out: `{type: "delta", content}` as the model writes, then
 * `{type: "done", …answer}` (naming its `assistant_id`);
 * `{type: "error", code, message}`; `{type: "pong"}`; `{type: "typing", is_typing}` while an
 * answer is being prepared. One answer at a time per socket. A widget visitor's token opens the
 * same socket, answered within the widget's limits.
 * Every chat message counts against the request limits (over them: an `error` frame with
 * `retry_after_s`, the socket stays open). A socket whose caller is no longer valid gets a last
 * `error` frame and is closed with 4000 + the error's HTTP status (4401, 4403).
 */
@Injectable()
export class ChatSocket implements OnModuleInit {
  private readonly sockets: GuardedWebSocketServer;

  constructor(
    private readonly upgrades: UpgradeRouter,
    private readonly sessions: SocketSessions,
    private readonly visitors: VisitorSocketChannel,
    private readonly chat: ChatService,
    private readonly metrics: HttpMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sockets = new GuardedWebSocketServer(CHAT_SOCKET_PATH, MAX_FRAME_BYTES, logger, metrics);
  }

  onModuleInit(): void {
    this.upgrades.add(CHAT_SOCKET_PATH, (request, socket, head, url) =>
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
      if (!token) {
        throw new DomainError(
          ErrorCode.UNAUTHORIZED,
          'pass the access token or API key as ?token=',
        );
      }
      caller = this.visitors.isVisitorToken(token)
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
  ): Promise<SocketCaller> {
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
    return {
      context: visitor.context,
      admit: async (_ws, chat) => ({
        context: visitor.context,
        request: await this.visitors.admit(visitor, chat),
      }),
    };
  }

  private serve(ws: WebSocket, caller: SocketCaller): void {
    const conversation = new SocketConversation(ws, caller, this.chat, this.logger);
    caller.session?.watch(ws);
    ws.on('close', () => conversation.stop());
    ws.on('message', (data) => conversation.receive(String(data)));
  }
}

/** One socket's exchange: its frames in, and at most one answer streaming out at a time. */
class SocketConversation {
  private answering?: Subscription;
  // From a message's arrival to its answer's `done` or `error` frame (the transport's stream
  // may complete a little after `done`: a client that asks again at once is not refused).
  private busy = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly caller: SocketCaller,
    private readonly chat: ChatService,
    private readonly logger: Logger,
  ) {}

  stop(): void {
    this.answering?.unsubscribe();
  }

  receive(data: string): void {
    const requestId = this.caller.context.requestId;
    let message: ClientMessage;
    try {
      message = parseOrThrow(clientMessageSchema, JSON.parse(data));
    } catch (error) {
      const reason = error instanceof SyntaxError ? malformed() : error;
      return this.send({ type: 'error', ...toHttpError(reason, requestId, this.logger) });
    }
    if (message.type === 'ping') {
      return this.send({ type: 'pong' });
    }
    if (message.type === 'typing') {
      return;
    }
    if (this.busy) {
      return this.send({
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
        assistant_id: message.assistant_id,
        stream: true,
      });
    } catch (error) {
      return this.send({ type: 'error', ...toHttpError(error, requestId, this.logger) });
    }
    this.answer(request);
  }

  private answer(request: ChatRequest): void {
    this.busy = true;
    let finished = false;
    const finish = (frame?: object) => {
      if (finished) {
        return;
      }
      finished = true;
      this.busy = false;
      if (frame) {
        this.send(frame);
      }
    };
    void this.caller.admit(this.ws, request).then(
      ({ context, request: admitted }) => {
        if (this.ws.readyState !== WebSocket.OPEN) {
          return;
        }
        this.answering = this.streamAnswer(context, admitted, finish);
      },
      (error: unknown) => finish(errorFrame(error, this.caller.context.requestId, this.logger)),
    );
  }

  private streamAnswer(
    context: RequestContext,
    request: ChatRequest,
    finish: (frame?: object) => void,
  ): Subscription {
    let typing = true;
    const stopTyping = () => {
      if (typing) {
        this.send({ type: 'typing', is_typing: false });
      }
      typing = false;
    };
    this.send({ type: 'typing', is_typing: true });
    return this.chat.stream(context, request).subscribe({
      next: (event) => {
        stopTyping();
        if (event.type !== 'done') {
          return this.send(event);
        }
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
  }

  private send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }
}

function malformed(): DomainError {
  return new DomainError(ErrorCode.MALFORMED_JSON, 'messages are JSON objects');
}
