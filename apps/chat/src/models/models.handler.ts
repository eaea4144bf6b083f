import { Controller } from '@nestjs/common';

import { type Caller, CHAT, type ModelsReply } from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles } from '@tenantbot/transport';

import { ModelsService } from './models.service';

@Controller()
export class ModelsHandler {
  constructor(private readonly models: ModelsService) {}

  @Handles(CHAT.MODELS)
  catalog(@CurrentCaller() caller: Caller): Promise<ModelsReply> {
    return this.models.catalog(caller);
  }
}
