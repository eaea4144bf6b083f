import { Module } from '@nestjs/common';

import { FeedbackHandler } from './feedback.handler';
import { FeedbackRepository } from './feedback.repository';
import { FeedbackService } from './feedback.service';

/** Ratings of the assistant's answers by the conversation's owner. */
@Module({
  controllers: [FeedbackHandler],
  providers: [FeedbackRepository, FeedbackService],
})
export class FeedbackModule {}
