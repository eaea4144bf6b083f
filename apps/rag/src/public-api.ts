import { join } from 'node:path';

// What rag offers outside its process, for benchmarks and reliability tools only (the
// `allow` list of @nx/enforce-module-boundaries in eslint.config.mjs): the pieces measured or
// inspected in process. Everything else of rag is reached through its messages.
export { bm25Ranking, queryTerms } from './search/search.repository';
export type { Embedder } from './embeddings/embedder';
export { LocalEmbedder } from './embeddings/local-embedder';
export { OpenAIEmbedder } from './embeddings/openai-embedder';
export { TransformersEmbedder } from './embeddings/transformers-embedder';
export { ChromaHttp } from './vectors/chroma-http';
export { ChromaVectorStore } from './vectors/chroma-vector-store';

/** The built worker a TransformersEmbedder starts, beside this file in dist/. */
export const embeddingWorkerScript = join(__dirname, 'embeddings', 'embedding-worker.js');
