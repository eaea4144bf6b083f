import { Module } from '@nestjs/common';

import { ModelsModule } from '../models/models.module';
import { TenantConfigModule } from '../tenant-config/tenant-config.module';
import { AssistantHandler } from './assistant.handler';
import { AssistantRepository } from './assistant.repository';
import { AssistantService } from './assistant.service';
import { AssistantChoices } from './assistant-choices';

/** A tenant's assistants: prompt, model, who may use it, what it may cite; one default. */
@Module({
  imports: [TenantConfigModule, ModelsModule],
  controllers: [AssistantHandler],
  providers: [AssistantRepository, AssistantService, AssistantChoices],
  exports: [AssistantService],
})
export class AssistantModule {}
