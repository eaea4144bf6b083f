import {
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import { createObjectStorage, type ObjectStorage } from '@tenantbot/object-storage';
import { pingControllerFor } from '@tenantbot/transport';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ChunkRepository } from './chunks/chunk.repository';
import type { RagConfig } from './config';
import { DocumentRepository } from './documents/document.repository';
import { DocumentsController } from './documents/documents.controller';
import { DocumentsService } from './documents/documents.service';
import { EmbedderRegistry } from './embeddings/embedder-registry';
import type { TransformersEmbedder } from './embeddings/transformers-embedder';
import { SandboxedExtractor } from './ingestion/extraction/sandboxed-extractor';
import { IngestionPipeline } from './ingestion/ingestion-pipeline';
import { INGESTION_QUEUE, type IngestionJobData } from './ingestion/ingestion-job';
import { IngestionQueue } from './ingestion/ingestion-queue';
import { IngestionWorker } from './ingestion/ingestion.worker';
import { SourceLoader } from './ingestion/source-loader';
import { TenantFairness } from './ingestion/tenant-fairness';
import { SafeWebFetcher } from './ingestion/web/safe-web-fetcher';
import { WebPageLoader } from './ingestion/web/web-page-loader';
import { HybridRetriever } from './search/hybrid-retriever';
import { RetrievalEvaluator } from './search/retrieval-evaluator';
import { SearchController } from './search/search.controller';
import { DependenciesController } from './health/dependencies.controller';
import { StatsController } from './stats/stats.controller';
import { TenantLifecycleController } from './tenants/tenant-lifecycle.controller';
import {
  EXTRACTION_SCRIPT,
  INGESTION_REDIS,
  OBJECT_STORAGE,
  RAG_CONFIG,
  RAG_LOGGER,
  SENTENCE_EMBEDDER,
} from './tokens';
import { chromaEndpoint } from './vectors/chroma-endpoint';
import { ChromaVectorStore } from './vectors/chroma-vector-store';

export interface RagModuleOptions {
  config: RagConfig;
  logger: Logger;
  /** The built extraction-process.js that parses documents in a sandbox. */
  extractionScript: string;
  /** The `transformers` provider's model, loaded before the module starts; null without one. */
  sentenceEmbedder: TransformersEmbedder | null;
}

/** A parked job sleeps this long unless its tenant's turn comes first. */
const PARK_MS = 60_000;

const infrastructure: Provider[] = [
  {
    provide: DataSource,
    inject: [RAG_CONFIG],
    useFactory: (config: RagConfig) =>
      createDataSource({
        url: appConnectionUrl(config),
        poolSize: config.DATABASE_POOL_SIZE,
        applicationName: 'tenantbot-rag',
      }).initialize(),
  },
  {
    provide: TenantScope,
    inject: [DataSource],
    useFactory: (db: DataSource) => new TenantScope(db),
  },
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
  {
    provide: OBJECT_STORAGE,
    inject: [RAG_CONFIG],
    useFactory: (config: RagConfig) => createObjectStorage(config),
  },
  {
    provide: ChromaVectorStore,
    inject: [RAG_CONFIG, RAG_LOGGER],
    useFactory: (config: RagConfig, logger: Logger) =>
      ChromaVectorStore.connect(chromaEndpoint(config), logger),
  },
];

const ingestion: Provider[] = [
  {
    provide: TenantFairness,
    inject: [INGESTION_REDIS, RAG_CONFIG],
    useFactory: (redis: Redis, config: RagConfig) =>
      new TenantFairness(redis, {
        prefix: config.REDIS_PREFIX,
        perTenant: config.INGESTION_TENANT_CONCURRENCY,
        runningLeaseMs: 2 * config.INGESTION_LOCK_MS,
        admittedLeaseMs: 10 * PARK_MS,
      }),
  },
  {
    provide: IngestionQueue,
    inject: [INGESTION_REDIS, TenantFairness, RAG_CONFIG],
    useFactory: (redis: Redis, fairness: TenantFairness, config: RagConfig) =>
      new IngestionQueue(
        new Queue<IngestionJobData>(INGESTION_QUEUE, {
          connection: redis,
          prefix: bullPrefix(config),
        }),
        fairness,
        {
          attempts: config.INGESTION_ATTEMPTS,
          backoffMs: config.INGESTION_BACKOFF_MS,
          parkMs: PARK_MS,
        },
      ),
  },
  {
    provide: SandboxedExtractor,
    inject: [EXTRACTION_SCRIPT, RAG_CONFIG],
    useFactory: (script: string, config: RagConfig) =>
      new SandboxedExtractor({
        script,
        timeoutMs: config.EXTRACTION_TIMEOUT_MS,
        memoryMb: config.EXTRACTION_MEMORY_MB,
      }),
  },
  {
    provide: SourceLoader,
    inject: [OBJECT_STORAGE, RAG_CONFIG],
    useFactory: (storage: ObjectStorage, config: RagConfig) => {
      const fetcher = new SafeWebFetcher({
        timeoutMs: config.WEB_FETCH_TIMEOUT_MS,
        maxBytes: Math.min(config.WEB_FETCH_MAX_BYTES, config.MAX_DOCUMENT_BYTES),
        userAgent: config.WEB_USER_AGENT,
        allowedHosts: config.WEB_FETCH_ALLOWED_HOSTS,
      });
      return new SourceLoader(storage, new WebPageLoader(fetcher, config.WEB_USER_AGENT), {
        maxDocumentBytes: config.MAX_DOCUMENT_BYTES,
        crawlMaxPages: config.WEB_CRAWL_MAX_PAGES,
        crawlMaxDepth: config.WEB_CRAWL_MAX_DEPTH,
      });
    },
  },
  {
    provide: IngestionPipeline,
    inject: [
      DocumentRepository,
      SourceLoader,
      SandboxedExtractor,
      EmbedderRegistry,
      ChromaVectorStore,
      RAG_CONFIG,
      RAG_LOGGER,
    ],
    useFactory: (
      documents: DocumentRepository,
      sources: SourceLoader,
      extractor: SandboxedExtractor,
      embedders: EmbedderRegistry,
      vectors: ChromaVectorStore,
      config: RagConfig,
      logger: Logger,
    ) =>
      new IngestionPipeline(documents, sources, extractor, embedders, vectors, {
        embeddingBatchSize: config.EMBEDDING_BATCH_SIZE,
        logger,
      }),
  },
  {
    provide: IngestionWorker,
    inject: [
      INGESTION_REDIS,
      IngestionPipeline,
      IngestionQueue,
      TenantFairness,
      RAG_CONFIG,
      RAG_LOGGER,
    ],
    useFactory: (
      redis: Redis,
      pipeline: IngestionPipeline,
      queue: IngestionQueue,
      fairness: TenantFairness,
      config: RagConfig,
      logger: Logger,
    ) =>
      new IngestionWorker(redis, pipeline, queue, fairness, {
        bullPrefix: bullPrefix(config),
        concurrency: config.INGESTION_CONCURRENCY,
        lockMs: config.INGESTION_LOCK_MS,
        parkMs: PARK_MS,
        logger,
      }),
  },
];

function bullPrefix(config: RagConfig): string {
  return `${config.REDIS_PREFIX}:bull`;
}

/**
 * The rag service: documents, ingestion, hybrid search. Starts the ingestion worker once the
 * service is up; on shutdown stops taking jobs first, then closes its connections.
 */
@Module({})
export class RagModule
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    private readonly worker: IngestionWorker,
    private readonly queue: IngestionQueue,
    private readonly dataSource: DataSource,
    private readonly vectors: ChromaVectorStore,
    @Inject(INGESTION_REDIS) private readonly redis: Redis,
  ) {}

  static register(options: RagModuleOptions): DynamicModule {
    return {
      module: RagModule,
      controllers: [
        pingControllerFor('rag'),
        DocumentsController,
        SearchController,
        TenantLifecycleController,
        StatsController,
        DependenciesController,
      ],
      providers: [
        { provide: RAG_CONFIG, useValue: options.config },
        { provide: RAG_LOGGER, useValue: options.logger },
        { provide: EXTRACTION_SCRIPT, useValue: options.extractionScript },
        { provide: SENTENCE_EMBEDDER, useValue: options.sentenceEmbedder },
        ...infrastructure,
        ...ingestion,
        EmbedderRegistry,
        DocumentRepository,
        ChunkRepository,
        DocumentsService,
        HybridRetriever,
        RetrievalEvaluator,
      ],
    };
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
    await this.dataSource.destroy().catch(() => undefined);
    await this.vectors.close().catch(() => undefined);
  }
}
