import { Module } from '@nestjs/common';

import { createObjectStorage } from '@tenantbot/object-storage';

import type { RagConfig } from '../config/rag-config';
import { OBJECT_STORAGE, RAG_CONFIG } from '../config/tokens';

/** Where uploaded files and pasted texts are kept (local files or S3). */
@Module({
  providers: [
    {
      provide: OBJECT_STORAGE,
      inject: [RAG_CONFIG],
      useFactory: (config: RagConfig) => createObjectStorage(config),
    },
  ],
  exports: [OBJECT_STORAGE],
})
export class StorageModule {}
