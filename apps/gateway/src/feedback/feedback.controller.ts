import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

import {
  ErrorCode,
  FEEDBACK,
  type FeedbackBody,
  feedbackBodySchema,
  type FeedbackView,
  feedbackViewSchema,
  type MessageParam,
  messageParamSchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { CHATTERS } from '../chat/chat-event-stream';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';
import { VisitorAllowed } from '../web-channel/visitor-route';

@ApiTags('chat')
@Controller('api/v1/chat/messages')
export class FeedbackController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Post(':id/feedback')
  @Roles(...CHATTERS)
  @VisitorAllowed()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rate an answer: thumbs up or down, with an optional comment',
    description:
      "By the conversation's owner only (its user, API key or widget visitor); on the assistant's " +
      'answers only (400 MESSAGE_NOT_RATEABLE). Rating again replaces the rating. Another ' +
      "owner's or tenant's message is 404 MESSAGE_NOT_FOUND. Sends the `message.feedback` webhook; " +
      'counted in /admin/stats.',
  })
  @ApiInput({ example: { rating: 'down', comment: 'It did not answer my question' } })
  @ApiReply(feedbackViewSchema)
  @ApiErrors(ErrorCode.MESSAGE_NOT_FOUND, ErrorCode.MESSAGE_NOT_RATEABLE)
  rate(
    @Param(new ZodPipe(messageParamSchema)) params: MessageParam,
    @Body(new ZodPipe(feedbackBodySchema)) body: FeedbackBody,
  ): Promise<FeedbackView> {
    return this.transport.request(FEEDBACK.RATE, { ...body, message_id: params.id });
  }
}
