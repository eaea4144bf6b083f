import type { InjectionToken } from '@nestjs/common';
import type { Redis } from 'ioredis';

import type { ObjectStorage } from '@tenantbot/object-storage';
import type { Logger } from '@tenantbot/observability';

import type { TransformersEmbedder } from '../embeddings/transformers-embedder';
import type { RagConfig } from './rag-config';

// Tokens of what is not a class, each typed with what it provides. They live apart from the
// classes that use them: under native ESM an import cycle through a token file would leave it
// undefined at decoration time.

/** The validated environment (rag-config.ts). */
export const RAG_CONFIG: InjectionToken<RagConfig> = Symbol('RAG_CONFIG');
export const RAG_LOGGER: InjectionToken<Logger> = Symbol('RAG_LOGGER');
export const OBJECT_STORAGE: InjectionToken<ObjectStorage> = Symbol('OBJECT_STORAGE');
/** The built extraction-process.js that parses documents in a sandbox. */
export const EXTRACTION_SCRIPT: InjectionToken<string> = Symbol('EXTRACTION_SCRIPT');
/** The loaded `transformers` embedder, or null where the platform runs no sentence model. */
export const SENTENCE_EMBEDDER: InjectionToken<TransformersEmbedder | null> =
  Symbol('SENTENCE_EMBEDDER');
/** The ingestion queue's Redis connection (BullMQ's blocking commands need their own). */
export const INGESTION_REDIS: InjectionToken<Redis> = Symbol('INGESTION_REDIS');
