import { Module } from '@nestjs/common';

import { createObjectStorage } from '@tenantbot/object-storage';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { OBJECT_STORAGE } from '../tokens';
import { DocumentUploads } from './document-uploads.service';
import { RagController } from './rag.controller';

/** Documents (uploads stream to object storage from here), search and retrieval evaluations. */
@Module({
  imports: [IdempotencyModule],
  controllers: [RagController],
  providers: [
    DocumentUploads,
    {
      provide: OBJECT_STORAGE,
      useFactory: (config: GatewayConfig) => createObjectStorage(config),
      inject: [GATEWAY_CONFIG],
    },
  ],
})
export class RagModule {}
