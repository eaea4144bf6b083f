import { type DynamicModule, Global, Module } from '@nestjs/common';

import type { Logger } from '@tenantbot/observability';

import type { TransformersEmbedder } from '../embeddings/transformers-embedder';
import type { RagConfig } from './rag-config';
import { EXTRACTION_SCRIPT, RAG_CONFIG, RAG_LOGGER, SENTENCE_EMBEDDER } from './tokens';

export interface RagModuleOptions {
  config: RagConfig;
  logger: Logger;
  /** The built extraction-process.js that parses documents in a sandbox. */
  extractionScript: string;
  /** The `transformers` provider's model, loaded before the module starts; null without one. */
  sentenceEmbedder: TransformersEmbedder | null;
}

/** What main.ts prepared before the service starts, under typed tokens for every feature. */
@Global()
@Module({})
export class RagConfigModule {
  static forRoot(options: RagModuleOptions): DynamicModule {
    const providers = [
      { provide: RAG_CONFIG, useValue: options.config },
      { provide: RAG_LOGGER, useValue: options.logger },
      { provide: EXTRACTION_SCRIPT, useValue: options.extractionScript },
      { provide: SENTENCE_EMBEDDER, useValue: options.sentenceEmbedder },
    ];
    return { module: RagConfigModule, providers, exports: providers };
  }
}
