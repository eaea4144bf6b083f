import { Module } from '@nestjs/common';

import { EmbedderRegistry } from './embedder-registry';
import { EmbeddingsHandler } from './embeddings.handler';
import { EmbeddingsService } from './embeddings.service';

/** The embedders a tenant's settings may choose, and `rag.embed` on the tenant's one. */
@Module({
  controllers: [EmbeddingsHandler],
  providers: [EmbedderRegistry, EmbeddingsService],
  exports: [EmbedderRegistry],
})
export class EmbeddingsModule {}
