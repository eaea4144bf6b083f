import { Controller } from '@nestjs/common';

import {
  ASSISTANTS,
  type AssistantView,
  type Caller,
  type Page,
  type ParsedRequestOf,
  type UsableAssistant,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { AssistantService } from './assistant.service';

/** A tenant's assistants: its admins' management, and what a caller may chat with. */
@Controller()
export class AssistantHandler {
  constructor(private readonly assistants: AssistantService) {}

  @Handles(ASSISTANTS.LIST)
  list(
    @CurrentCaller() caller: Caller,
    @ValidPayload(ASSISTANTS.LIST) page: ParsedRequestOf<typeof ASSISTANTS.LIST>,
  ): Promise<Page<AssistantView>> {
    return this.assistants.list(caller, page);
  }

  @Handles(ASSISTANTS.CREATE)
  create(
    @CurrentCaller() caller: Caller,
    @ValidPayload(ASSISTANTS.CREATE) body: ParsedRequestOf<typeof ASSISTANTS.CREATE>,
  ): Promise<AssistantView> {
    return this.assistants.create(caller, body);
  }

  @Handles(ASSISTANTS.GET)
  get(
    @CurrentCaller() caller: Caller,
    @ValidPayload(ASSISTANTS.GET) { id }: ParsedRequestOf<typeof ASSISTANTS.GET>,
  ): Promise<AssistantView> {
    return this.assistants.get(caller, id);
  }

  @Handles(ASSISTANTS.UPDATE)
  update(
    @CurrentCaller() caller: Caller,
    @ValidPayload(ASSISTANTS.UPDATE) { id, body }: ParsedRequestOf<typeof ASSISTANTS.UPDATE>,
  ): Promise<AssistantView> {
    return this.assistants.update(caller, id, body);
  }

  @Handles(ASSISTANTS.DELETE)
  async delete(
    @CurrentCaller() caller: Caller,
    @ValidPayload(ASSISTANTS.DELETE) { id }: ParsedRequestOf<typeof ASSISTANTS.DELETE>,
  ): Promise<{ deleted: true }> {
    await this.assistants.delete(caller, id);
    return { deleted: true };
  }

  @Handles(ASSISTANTS.USABLE)
  usable(
    @CurrentCaller() caller: Caller,
    @ValidPayload(ASSISTANTS.USABLE) page: ParsedRequestOf<typeof ASSISTANTS.USABLE>,
  ): Promise<Page<UsableAssistant>> {
    return this.assistants.usable(caller, page);
  }
}
