import { Module } from '@nestjs/common';

import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorsModule } from '../vectors/vectors.module';
import { HybridRetriever } from './hybrid-retriever';
import { RetrievalEvaluator } from './retrieval-evaluator';
import { SearchHandler } from './search.handler';
import { SearchRepository } from './search.repository';
import { SearchService } from './search.service';
import { SearchScopeRepository } from './search-scope.repository';

/** Hybrid search (BM25 in Postgres, vectors in Chroma) and its evaluation. */
@Module({
  imports: [VectorsModule, EmbeddingsModule],
  controllers: [SearchHandler],
  providers: [
    SearchService,
    SearchRepository,
    SearchScopeRepository,
    HybridRetriever,
    RetrievalEvaluator,
  ],
})
export class SearchModule {}
