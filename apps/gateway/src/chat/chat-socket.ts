import {
  DomainError,
  ErrorCode,
  chatRequestSchema,
  parseOrThrow,
  type Role,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import type { RequestContext } from '@tenantbot/tenant-context';
import type { RedisStreamsClient } from '@tenantbot/transport';
import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { Authenticator, toRequestPrincipal } from '../auth/authenticator';
import { toHttpError } from '../http/error-response';
import type { HttpMetrics } from '../http/http-metrics';
import { chatStream } from './chat-stream';
import type {
  VisitorConnection,
  VisitorSocketChannel,
} from '../web-channel/visitor-socket-channel';

export const CHAT_SOCKET_PATH = '/api/v1/chat/ws';
const CHATTERS: Role[] = ['super_admin', 'tenant_admin', 'agent', 'user'];
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
 * `{type: "error", code, message}`; `{type: "pong"}`. One answer at a time per socket.
 */
export class ChatSocket {
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  constructor(
    private readonly authenticator: Authenticator,
    private readonly transport: RedisStreamsClient,
    private readonly metrics: HttpMetrics,
    private readonly logger: Logger,
    private readonly visitors?: VisitorSocketChannel,
  ) {}

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== CHAT_SOCKET_PATH) return socket.destroy();
      void this.accept(request, socket, head, url);
    });
  }

  private async accept(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
  ): Promise<void> {
    const requestId = randomUUID();
    let context: RequestContext;
    let visitor: VisitorConnection | undefined;
    try {
      const token = url.searchParams.get('token') ?? '';
      if (!token)
        throw new DomainError(
          ErrorCode.UNAUTHORIZED,
          'pass the access token or API key as ?token=',
        );
      if (this.visitors?.isVisitorToken(token)) {
        visitor = await this.visitors.connect(token, request, requestId);
        context = visitor.context;
        return this.sockets.handleUpgrade(request, socket, head, (ws) =>
          this.serve(ws, context, visitor),
        );
      }
      const { principal, tenant } = await this.authenticator.authenticate(
        token,
        {
          tenantRef: url.searchParams.get('tenant') ?? undefined,
          host: request.headers.host?.split(':')[0],
        },
        { requestId },
      );
      if (!CHATTERS.includes(principal.role))
        throw new DomainError(ErrorCode.FORBIDDEN, 'this role may not chat');
      context = { requestId, tenantId: tenant?.id, principal: toRequestPrincipal(principal) };
    } catch (error) {
      const body = toHttpError(error, requestId, this.logger);
      socket.end(
        `HTTP/1.1 ${body.statusCode} ${body.code}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify(body)}`,
      );
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (ws) => this.serve(ws, context));
  }

  private serve(ws: WebSocket, connection: RequestContext, visitor?: VisitorConnection): void {
    let answering: Subscription | undefined;
    const send = (message: object) => ws.send(JSON.stringify(message));
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
      if (answering && !answering.closed) {
        return send({
          type: 'error',
          code: ErrorCode.CONFLICT,
          message: 'wait for the current answer to finish',
        });
      }
      const context = { ...connection, requestId: randomUUID() };
      let request;
      try {
        request = parseOrThrow(chatRequestSchema, {
          message: message.content,
          conversation_id: message.conversation_id,
          stream: true,
        });
      } catch (error) {
        return send({ type: 'error', ...toHttpError(error, context.requestId, this.logger) });
      }
      const answer = (admitted: typeof request) => {
        let typing = true;
        const stopTyping = () => {
          if (typing) send({ type: 'typing', is_typing: false });
          typing = false;
        };
        send({ type: 'typing', is_typing: true });
        answering = chatStream(this.transport, context, admitted).subscribe({
          next: (event) => {
            stopTyping();
            if (event.type === 'done') this.metrics.chatAnswered(context.tenantId, event);
            send(event);
          },
          error: (error: unknown) => {
            stopTyping();
            send({ type: 'error', ...toHttpError(error, context.requestId, this.logger) });
          },
        });
      };
      if (!visitor) return answer(request);
      // A visitor's message counts against the widget's limits before anything is spent.
      void this.visitors?.admit(visitor, request).then(answer, (error: unknown) => {
        const body = toHttpError(error, context.requestId, this.logger);
        const retryAfter = (body.details as { retry_after_s?: number } | undefined)?.retry_after_s;
        send({ type: 'error', ...body, ...(retryAfter ? { retry_after_s: retryAfter } : {}) });
      });
    });
  }
}

function malformed(): DomainError {
  return new DomainError(ErrorCode.MALFORMED_JSON, 'messages are JSON objects');
}
