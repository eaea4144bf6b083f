import { Controller } from '@nestjs/common';

import {
  type Caller,
  FEEDBACK,
  type FeedbackView,
  type ParsedRequestOf,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { FeedbackService } from './feedback.service';

@Controller()
export class FeedbackHandler {
  constructor(private readonly feedback: FeedbackService) {}

  @Handles(FEEDBACK.RATE)
  rate(
    @CurrentCaller() caller: Caller,
    @ValidPayload(FEEDBACK.RATE) request: ParsedRequestOf<typeof FEEDBACK.RATE>,
  ): Promise<FeedbackView> {
    return this.feedback.rate(caller, request);
  }
}
