import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

import type { RagConfig } from '../config/rag-config';
import { INGESTION_REDIS, RAG_CONFIG } from '../config/tokens';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { StorageModule } from '../storage/storage.module';
import { VectorsModule } from '../vectors/vectors.module';
import { SandboxedExtractor } from './extraction/sandboxed-extractor';
import { IngestionRepository } from './ingestion.repository';
import { IngestionWorker } from './ingestion.worker';
import { IngestionPipeline } from './ingestion-pipeline';
import { IngestionQueue } from './ingestion-queue';
import { SourceLoader } from './source-loader';
import { TenantFairness } from './tenant-fairness';
import { SafeWebFetcher } from './web/safe-web-fetcher';
import { WebPageLoader } from './web/web-page-loader';

/**
 * The ingestion queue (BullMQ on Redis) and its worker: load, extract, chunk, embed, store.
 * Exports the queue to the documents feature and the tenants' admission bookkeeping.
 */
@Module({
  imports: [StorageModule, VectorsModule, EmbeddingsModule],
  providers: [
    {
      provide: INGESTION_REDIS,
      inject: [RAG_CONFIG],
      // BullMQ's blocking commands need maxRetriesPerRequest: null.
      useFactory: (config: RagConfig) =>
        new Redis(config.REDIS_URL, {
          password: config.REDIS_PASSWORD,
          maxRetriesPerRequest: null,
          connectionName: 'rag:ingestion',
        }),
    },
    TenantFairness,
    IngestionQueue,
    SafeWebFetcher,
    WebPageLoader,
    SourceLoader,
    SandboxedExtractor,
    IngestionRepository,
    IngestionPipeline,
    IngestionWorker,
  ],
  exports: [IngestionQueue, TenantFairness],
})
export class IngestionModule implements OnApplicationShutdown {
  constructor(
    private readonly queue: IngestionQueue,
    @Inject(INGESTION_REDIS) private readonly redis: Redis,
  ) {}

  /** After the worker stopped (before shutdown): the queue, then its connection. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }
}
