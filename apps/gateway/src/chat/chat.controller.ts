import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import {
  CHAT,
  type ChatRequest,
  chatRequestSchema,
  chatResponseSchema,
  chatStreamEventSchema,
  conversationDetailSchema,
  type ConversationListRequest,
  conversationListRequestSchema,
  conversationPageSchema,
  type ConversationRef,
  conversationRefSchema,
  type ConversationSummary,
  conversationSummarySchema,
  DomainError,
  ErrorCode,
  HANDOFF,
  type HandoffRequest,
  handoffRequestSchema,
  modelsReplySchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { IdempotentRequests, REPLAYED_HEADER } from '../idempotency/idempotent-requests';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';
import { VisitorChat } from '../web-channel/visitor-chat';
import { VisitorAllowed } from '../web-channel/visitor-route';
import { ChatService } from './chat.service';
import { ChatEventStream, CHATTERS } from './chat-event-stream';
import { replayedAnswer, storingAnswer } from './idempotent-chat';

const CHAT_ROUTE = 'POST /api/v1/chat/';

const handoffBodySchema = handoffRequestSchema.omit({ id: true });
type HandoffBody = Omit<HandoffRequest, 'id'>;
const CHAT_EXAMPLE = {
  response: 'You may return an item within 30 days of delivery for a full refund [1].',
  conversation_id: '6f1c2a4e-8d3b-4c1a-9f0e-2b7d5a9c3e11',
  model_used: 'gpt-4o-mini',
  tokens_used: { input: 412, output: 23, total: 435 },
  total_tokens: 435,
  latency_ms: 820,
  cost_usd: 0.000076,
  request_id: 'req_01J9Z6T3K2',
  sources: [
    {
      document_id: '0b8e7f52-3c1d-4a6e-9b2f-5d4c3a2b1e00',
      filename: 'refund-policy.md',
      page: null,
      chunk_index: 0,
      score: 0.0325,
      text: 'Customers may return any item within 30 days of delivery for a full refund.',
    },
  ],
  grounded: true,
  assistant_id: '3a9d6c1e-5b7f-4e2a-8c0d-1f2e3d4c5b6a',
  handled_by: 'bot',
  conversation_status: 'bot',
};

@ApiTags('chat')
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly chat: ChatService,
    private readonly events: ChatEventStream,
    private readonly visitorChat: VisitorChat,
    private readonly idempotency: IdempotentRequests,
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
      "within the widget's message limits (429 RATE_LIMITED), with the tenant's model and settings. " +
      '`assistant_id` picks the assistant (its prompt, model, temperature, knowledge; default: the ' +
      "conversation's, else the tenant's default) and the answer names it; 403 ASSISTANT_FORBIDDEN " +
      'for one the caller may not use, 404 ASSISTANT_NOT_FOUND for an id the tenant does not have. ' +
      'With an `Idempotency-Key` header, the same key and body within 24 h answer the first answer ' +
      '(header `Idempotent-Replayed: true`) and store nothing new; another body with the key: 409 ' +
      '`IDEMPOTENCY_KEY_REUSED`; while the first still runs, a duplicate waits for it.',
  })
  @ApiInput({ example: { message: 'How long do I have to return an item?' } })
  @ApiReply(chatResponseSchema, { example: CHAT_EXAMPLE })
  @ApiReply(chatStreamEventSchema, {
    mediaTypes: ['text/event-stream'],
    description:
      'With `stream: true` or `Accept: text/event-stream`: Server-Sent Events, each `data` one of these',
  })
  @ApiErrors(
    ErrorCode.MODEL_NOT_ALLOWED,
    ErrorCode.CONVERSATION_NOT_FOUND,
    ErrorCode.BUDGET_EXCEEDED,
    ErrorCode.PROVIDER_ERROR,
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
  )
  async ask(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body(new ZodPipe(chatRequestSchema)) requested: ChatRequest,
  ): Promise<void> {
    const caller = request.requestContext;
    const asked = { ...requested, channel: undefined };
    const accept = String(request.headers.accept ?? '');
    const streamed = requested.stream === true || accept.includes('text/event-stream');
    const key = this.idempotency.keyOf(request);
    const claim = await this.idempotency.begin(caller, CHAT_ROUTE, key, requested);
    if ('replay' in claim) {
      const answer = chatResponseSchema.parse(claim.replay);
      void reply.header(REPLAYED_HEADER, 'true');
      if (streamed) {
        return this.events.send(request, reply, replayedAnswer(answer));
      }
      return void (await reply.send(answer));
    }
    let body: ChatRequest;
    try {
      body = request.visitorWidget
        ? await this.visitorChat.admit(
            caller.principal ?? { role: 'visitor' },
            request.visitorWidget,
            asked,
          )
        : asked;
    } catch (error) {
      await claim.release();
      throw error;
    }
    if (streamed) {
      return this.events.send(request, reply, storingAnswer(claim, this.chat.stream(caller, body)));
    }
    const answer = await this.chat.answer(caller, body).catch(async (error: unknown) => {
      await claim.release();
      throw error;
    });
    await claim.complete(answer);
    await reply.send(answer);
  }

  @Get('models')
  @ApiOperation({
    summary: 'The models this tenant may use, with provider, context window and prices',
  })
  @ApiReply(modelsReplySchema)
  models() {
    return this.transport.request(CHAT.MODELS, {});
  }

  @Get('conversations')
  @VisitorAllowed()
  @ApiOperation({
    summary: "The caller's conversations; `scope=tenant` lists the tenant's (tenant admin, agent)",
  })
  @ApiReply(conversationPageSchema)
  conversations(@Query(new ZodPipe(conversationListRequestSchema)) query: ConversationListRequest) {
    return this.transport.request(CHAT.CONVERSATIONS_LIST, query);
  }

  @Get('conversations/:id')
  @VisitorAllowed()
  @ApiOperation({
    summary: 'A conversation with its messages in order, sources, models, tokens and cost',
  })
  @ApiReply(conversationDetailSchema)
  @ApiErrors(ErrorCode.CONVERSATION_NOT_FOUND)
  conversation(@Param(new ZodPipe(conversationRefSchema)) params: ConversationRef) {
    return this.transport.request(CHAT.CONVERSATIONS_GET, params);
  }

  @Post('conversations/:id/handoff')
  @Roles(...CHATTERS)
  @VisitorAllowed()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask for a person: the bot stops answering and the agents see it in their inbox',
    description:
      "By the conversation's user, API key or widget visitor (the widget must have " +
      '`handoff_enabled`, else 403 `FEATURE_DISABLED`). The conversation becomes `waiting_human`, ' +
      'the bot says so in it (a `system` message: a person will reply here) and ' +
      '`conversation.handoff_requested` is emitted. Until an agent releases it, messages are ' +
      'stored and delivered to the agent without calling a model (`handled_by: "human"`). ' +
      'Asking again changes nothing; a closed conversation is 409 `CONVERSATION_CLOSED`.',
  })
  @ApiInput({ example: { reason: 'the answer did not help' } })
  @ApiReply(conversationSummarySchema)
  @ApiErrors(
    ErrorCode.CONVERSATION_NOT_FOUND,
    ErrorCode.CONVERSATION_CLOSED,
    ErrorCode.FEATURE_DISABLED,
  )
  handoff(
    @Req() request: FastifyRequest,
    @Param(new ZodPipe(conversationRefSchema)) params: ConversationRef,
    @Body(new ZodPipe(handoffBodySchema)) body: HandoffBody,
  ): Promise<ConversationSummary> {
    if (request.visitorWidget && !request.visitorWidget.handoff_enabled) {
      throw new DomainError(ErrorCode.FEATURE_DISABLED, 'this widget does not hand over to people');
    }
    return this.transport.request(HANDOFF.REQUEST, { ...body, id: params.id });
  }

  @Delete('conversations/:id')
  @Roles(...CHATTERS)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  @ApiReply()
  @ApiErrors(ErrorCode.CONVERSATION_NOT_FOUND)
  async deleteConversation(
    @Param(new ZodPipe(conversationRefSchema)) params: ConversationRef,
  ): Promise<void> {
    await this.transport.request(CHAT.CONVERSATIONS_DELETE, params);
  }
}
