import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { ApiKeyHandler } from './api-key.handler';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';

/** A tenant's API keys. Authentication reads them through its repository. */
@Module({
  imports: [EventsModule],
  controllers: [ApiKeyHandler],
  providers: [ApiKeyService, ApiKeyRepository],
  exports: [ApiKeyRepository],
})
export class ApiKeyModule {}
