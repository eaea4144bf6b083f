import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  CHAT,
  chatRequestSchema,
  conversationListRequestSchema,
  conversationRefSchema,
  type ChatRequest,
  type ChatResponse,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { RedisStreamsClient } from '@tenantbot/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGGER } from '../tokens';
import { Roles } from '../auth/decorators';
import { bearerOf, tenantHeaderOf } from '../auth/auth.guard';
import { OpenStreamRecheck } from '../auth/open-stream-recheck';
import { toHttpError } from '../http/error-response';
import { HttpMetrics } from '../http/http-metrics';
import { openApiSchema, validated } from '../http/zod-validation.pipe';
import { CHAT_TIMEOUT_MS, chatStream } from './chat-stream';
import { VisitorChat } from '../web-channel/visitor-chat';
import { VisitorAllowed } from '../web-channel/visitor-route';

const CHATTERS = ['super_admin', 'tenant_admin', 'agent', 'user'] as const;

@ApiTags('chat')
@ApiBearerAuth()
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    @Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient,
    @Inject(HttpMetrics) private readonly metrics: HttpMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(OpenStreamRecheck) private readonly recheck: OpenStreamRecheck,
    @Inject(VisitorChat) private readonly visitorChat: VisitorChat,
  ) {}

  @Post()
  @Roles(...CHATTERS)
  @VisitorAllowed()
  @HttpCode(200)
  @ApiOperation({
    summary: "Ask the tenant's assistant; grounded in its documents, with sources",
    description:
      'With `stream: true` or `Accept: text/event-stream` the answer comes as Server-Sent Events: ' +
      '`event: delta` (`{type, content}`) as the model writes, then one `event: done` carrying every field ' +
      'of the JSON answer; a failure ends the stream with `event: error` (`{code, message}`). Closing the ' +
      'connection stops the model. An open stream re-checks its caller every few seconds ' +
      '(`OPEN_STREAM_RECHECK_MS`): a deactivated user or tenant, a revoked API key or an expired ' +
      'access token ends it with `event: error` (`UNAUTHORIZED`, `TENANT_INACTIVE`, …). ' +
      'A widget visitor (visitor token) chats in its own conversations only, ' +
      "within the widget's message limits (429 RATE_LIMITED), with the tenant's model and settings.",
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBody({ schema: openApiSchema(chatRequestSchema) })
  async ask(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body(validated(chatRequestSchema)) requested: ChatRequest,
  ): Promise<void> {
    const body = request.visitorWidget
      ? await this.visitorChat.admit(
          request.requestContext.principal ?? { role: 'visitor' },
          request.visitorWidget,
          requested,
        )
      : requested;
    const accept = String(request.headers.accept ?? '');
    if (body.stream || accept.includes('text/event-stream'))
      return this.streamAnswer(request, reply, body);
    const answer = await this.transport.request<ChatResponse>(CHAT.SEND, body, {
      timeoutMs: CHAT_TIMEOUT_MS,
    });
    this.metrics.chatAnswered(request.requestContext.tenantId, answer);
    await reply.send(answer);
  }

  @Get('models')
  @ApiOperation({
    summary: 'The models this tenant may use, with provider, context window and prices',
  })
  models() {
    return this.transport.request(CHAT.MODELS, {});
  }

  @Get('conversations')
  @VisitorAllowed()
  @ApiOperation({
    summary: "The caller's conversations; `scope=tenant` lists the tenant's (tenant admin, agent)",
  })
  conversations(@Query(validated(conversationListRequestSchema)) query: unknown) {
    return this.transport.request(CHAT.CONVERSATIONS_LIST, query);
  }

  @Get('conversations/:id')
  @VisitorAllowed()
  @ApiOperation({
    summary: 'A conversation with its messages in order, sources, models, tokens and cost',
  })
  conversation(@Param(validated(conversationRefSchema)) params: { id: string }) {
    return this.transport.request(CHAT.CONVERSATIONS_GET, params);
  }

  @Delete('conversations/:id')
  @Roles(...CHATTERS)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  async deleteConversation(
    @Param(validated(conversationRefSchema)) params: { id: string },
  ): Promise<void> {
    await this.transport.request(CHAT.CONVERSATIONS_DELETE, params);
  }

  /** Server-Sent Events straight from the transport's streamed reply: nothing is buffered. */
  private streamAnswer(request: FastifyRequest, reply: FastifyReply, body: ChatRequest): void {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send = (event: string, data: unknown) =>
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const subscription = chatStream(this.transport, request.requestContext, body).subscribe({
      next: (event) => {
        if (event.type === 'done')
          this.metrics.chatAnswered(request.requestContext.tenantId, event);
        send(event.type, event);
      },
      error: (error: unknown) => {
        send('error', toHttpError(error, request.id, this.logger));
        response.end();
      },
      complete: () => response.end(),
    });
    // A visitor's token is short-lived and checked against its widget on every request.
    const stopRecheck = request.visitorWidget
      ? () => undefined
      : this.watchCaller(request, response, subscription, send);
    // The client went away before the end: stop the model (the transport cancels on the replica).
    response.on('close', () => {
      stopRecheck();
      if (!response.writableEnded) subscription.unsubscribe();
    });
  }

  /** Ends the stream when its user, key or tenant stops being valid (OPEN_STREAM_RECHECK_MS). */
  private watchCaller(
    request: FastifyRequest,
    response: FastifyReply['raw'],
    subscription: Subscription,
    send: (event: string, data: unknown) => void,
  ): () => void {
    return this.recheck.watch(
      {
        bearer: bearerOf(request),
        where: { tenantRef: tenantHeaderOf(request), host: request.hostname.split(':')[0] },
        roles: CHATTERS,
        requestId: request.id,
      },
      {
        onEnd: (reason) => {
          if (response.writableEnded) return;
          this.metrics.streamEnded('sse', reason.code);
          send('error', toHttpError(reason, request.id, this.logger));
          subscription.unsubscribe();
          response.end();
        },
      },
    );
  }
}
