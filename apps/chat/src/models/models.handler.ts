import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';

import { CHAT, type ModelsReply } from '@tenantbot/contracts';

import { messageCaller } from '../core/message-caller';
import { ModelsService } from './models.service';

@Controller()
export class ModelsHandler {
  constructor(private readonly models: ModelsService) {}

  @MessagePattern(CHAT.MODELS)
  catalog(): Promise<ModelsReply> {
    return this.models.catalog(messageCaller());
  }
}
