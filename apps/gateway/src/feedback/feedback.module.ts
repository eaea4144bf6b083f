import { Module } from '@nestjs/common';

import { FeedbackController } from './feedback.controller';

/** Ratings of answers (the chat service's). */
@Module({ controllers: [FeedbackController] })
export class FeedbackModule {}
