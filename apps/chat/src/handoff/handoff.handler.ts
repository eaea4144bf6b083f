import { Controller } from '@nestjs/common';

import {
  type Caller,
  type ConversationMessage,
  type ConversationSummary,
  HANDOFF,
  type HandoffSettings,
  type InboxPage,
  type ParsedRequestOf,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { HandoffService } from './handoff.service';
import { HandoffSettingsService } from './handoff-settings.service';

@Controller()
export class HandoffHandler {
  constructor(
    private readonly handoffs: HandoffService,
    private readonly settings: HandoffSettingsService,
  ) {}

  @Handles(HANDOFF.REQUEST)
  request(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.REQUEST) request: ParsedRequestOf<typeof HANDOFF.REQUEST>,
  ): Promise<ConversationSummary> {
    return this.handoffs.request(caller, request);
  }

  @Handles(HANDOFF.INBOX_LIST)
  inbox(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.INBOX_LIST) request: ParsedRequestOf<typeof HANDOFF.INBOX_LIST>,
  ): Promise<InboxPage> {
    return this.handoffs.inbox(caller, request);
  }

  @Handles(HANDOFF.CLAIM)
  claim(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.CLAIM) ref: ParsedRequestOf<typeof HANDOFF.CLAIM>,
  ): Promise<ConversationSummary> {
    return this.handoffs.claim(caller, ref.id);
  }

  @Handles(HANDOFF.AGENT_MESSAGE)
  reply(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.AGENT_MESSAGE) request: ParsedRequestOf<typeof HANDOFF.AGENT_MESSAGE>,
  ): Promise<ConversationMessage> {
    return this.handoffs.reply(caller, request);
  }

  @Handles(HANDOFF.RELEASE)
  release(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.RELEASE) ref: ParsedRequestOf<typeof HANDOFF.RELEASE>,
  ): Promise<ConversationSummary> {
    return this.handoffs.release(caller, ref.id);
  }

  @Handles(HANDOFF.CLOSE)
  close(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.CLOSE) ref: ParsedRequestOf<typeof HANDOFF.CLOSE>,
  ): Promise<ConversationSummary> {
    return this.handoffs.close(caller, ref.id);
  }

  @Handles(HANDOFF.SETTINGS_GET)
  getSettings(@CurrentCaller() caller: Caller): Promise<HandoffSettings> {
    return this.settings.get(caller);
  }

  @Handles(HANDOFF.SETTINGS_UPDATE)
  updateSettings(
    @CurrentCaller() caller: Caller,
    @ValidPayload(HANDOFF.SETTINGS_UPDATE) update: ParsedRequestOf<typeof HANDOFF.SETTINGS_UPDATE>,
  ): Promise<HandoffSettings> {
    return this.settings.update(caller, update);
  }
}
