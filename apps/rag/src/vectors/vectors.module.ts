import { Module, type OnApplicationShutdown } from '@nestjs/common';

import type { Logger } from '@tenantbot/observability';

import type { RagConfig } from '../config/rag-config';
import { RAG_CONFIG, RAG_LOGGER } from '../config/tokens';
import { chromaEndpoint } from './chroma-endpoint';
import { ChromaVectorStore } from './chroma-vector-store';

/** The tenants' vectors in Chroma. */
@Module({
  providers: [
    {
      // A factory: the store wraps Chroma's own client, built from the endpoint.
      provide: ChromaVectorStore,
      inject: [RAG_CONFIG, RAG_LOGGER],
      useFactory: (config: RagConfig, logger: Logger) =>
        ChromaVectorStore.connect(chromaEndpoint(config), logger),
    },
  ],
  exports: [ChromaVectorStore],
})
export class VectorsModule implements OnApplicationShutdown {
  constructor(private readonly vectors: ChromaVectorStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.vectors.close().catch(() => undefined);
  }
}
