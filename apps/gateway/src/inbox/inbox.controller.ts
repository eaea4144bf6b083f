import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  type AgentMessageRequest,
  agentMessageRequestSchema,
  type ConversationMessage,
  conversationMessageSchema,
  type ConversationRef,
  conversationRefSchema,
  type ConversationSummary,
  conversationSummarySchema,
  ErrorCode,
  HANDOFF,
  type HandoffSettings,
  handoffSettingsSchema,
  type HandoffSettingsUpdate,
  handoffSettingsUpdateSchema,
  type InboxListRequest,
  inboxListRequestSchema,
  type InboxPage,
  inboxPageSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';

const agentMessageBodySchema = agentMessageRequestSchema.omit({ id: true });

/** The agents' side of the handoff: the tenant's inbox and the moves of a conversation. */
@ApiTags('inbox')
@Roles('super_admin', 'tenant_admin', 'agent')
@Controller('api/v1/inbox')
export class InboxController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get()
  @ApiOperation({
    summary: 'Conversations waiting for or with a person, oldest request first',
    description:
      'Default: `waiting_human` and `human`; `status` picks one state, `assigned=me` the ' +
      "caller's own. Each item carries its transcript (internal notes included) with the " +
      'sources the bot cited. Live: `WS /api/v1/inbox/ws?token=…`.',
  })
  @ApiReply(inboxPageSchema)
  list(@Query(new ZodPipe(inboxListRequestSchema)) query: InboxListRequest): Promise<InboxPage> {
    return this.transport.request(HANDOFF.INBOX_LIST, query);
  }

  @Get('settings')
  @ApiOperation({
    summary: "The tenant's handoff policy",
    description:
      "`phrases`: the tenant's own phrases that ask for a person (whole words; case, accents " +
      'and punctuation ignored), with the default list ("talk to a human", …) unless ' +
      '`use_default_phrases` is false; `on_ungrounded`: hand over after two answers in a row ' +
      "the bot could not ground in the tenant's documents.",
  })
  @ApiReply(handoffSettingsSchema)
  settings(): Promise<HandoffSettings> {
    return this.transport.request(HANDOFF.SETTINGS_GET, {});
  }

  @Put('settings')
  @Roles('super_admin', 'tenant_admin')
  @ApiOperation({ summary: "Change the tenant's handoff policy (tenant admin)" })
  @ApiInput({ example: { phrases: ['speak to support'], on_ungrounded: true } })
  @ApiReply(handoffSettingsSchema)
  @ApiErrors(ErrorCode.VALIDATION_FAILED)
  updateSettings(
    @Body(new ZodPipe(handoffSettingsUpdateSchema)) body: HandoffSettingsUpdate,
  ): Promise<HandoffSettings> {
    return this.transport.request(HANDOFF.SETTINGS_UPDATE, body);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Take the conversation: the bot stops answering it',
    description:
      'Atomic: of two agents claiming at once one wins, the other gets 409 `ALREADY_CLAIMED`. ' +
      'Claiming a conversation one already holds returns it unchanged; a closed one is 409 ' +
      '`CONVERSATION_CLOSED`.',
  })
  @ApiReply(conversationSummarySchema)
  @ApiErrors(
    ErrorCode.CONVERSATION_NOT_FOUND,
    ErrorCode.ALREADY_CLAIMED,
    ErrorCode.CONVERSATION_CLOSED,
  )
  claim(
    @Param(new ZodPipe(conversationRefSchema)) ref: ConversationRef,
  ): Promise<ConversationSummary> {
    return this.transport.request(HANDOFF.CLAIM, ref);
  }

  @Post(':id/messages')
  @HttpCode(201)
  @ApiOperation({
    summary: "Reply to the conversation's user (live), or add an internal note",
    description:
      'A reply is stored with `role: "agent"` and delivered to the user\'s or visitor\'s socket; ' +
      'only the assigned agent may reply (409 `NOT_ASSIGNED`). `internal: true` stores a note ' +
      '(`role: "system"`) that only agents and tenant admins ever see.',
  })
  @ApiInput({ example: { content: 'Hello, I am Ana from support.' } })
  @ApiReply(conversationMessageSchema, { status: 201 })
  @ApiErrors(
    ErrorCode.CONVERSATION_NOT_FOUND,
    ErrorCode.NOT_ASSIGNED,
    ErrorCode.CONVERSATION_CLOSED,
  )
  reply(
    @Param(new ZodPipe(conversationRefSchema)) ref: ConversationRef,
    @Body(new ZodPipe(agentMessageBodySchema)) body: Omit<AgentMessageRequest, 'id'>,
  ): Promise<ConversationMessage> {
    return this.transport.request(HANDOFF.AGENT_MESSAGE, { ...body, id: ref.id });
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Give the conversation back to the bot (`bot`)',
    description: "By its agent or a tenant admin; another agent's is 409 `NOT_ASSIGNED`.",
  })
  @ApiReply(conversationSummarySchema)
  @ApiErrors(
    ErrorCode.CONVERSATION_NOT_FOUND,
    ErrorCode.NOT_ASSIGNED,
    ErrorCode.CONVERSATION_CLOSED,
  )
  release(
    @Param(new ZodPipe(conversationRefSchema)) ref: ConversationRef,
  ): Promise<ConversationSummary> {
    return this.transport.request(HANDOFF.RELEASE, ref);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close the conversation: nothing more is added to it',
    description: 'Emits `conversation.closed`; later messages to it are 409 `CONVERSATION_CLOSED`.',
  })
  @ApiReply(conversationSummarySchema)
  @ApiErrors(ErrorCode.CONVERSATION_NOT_FOUND, ErrorCode.NOT_ASSIGNED)
  close(
    @Param(new ZodPipe(conversationRefSchema)) ref: ConversationRef,
  ): Promise<ConversationSummary> {
    return this.transport.request(HANDOFF.CLOSE, ref);
  }
}
