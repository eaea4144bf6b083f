// Injection tokens live apart from the classes that use them: under native ESM an import
// cycle through a token file would leave it undefined at decoration time.
export const RAG_CONFIG = Symbol('RAG_CONFIG');
export const RAG_LOGGER = Symbol('RAG_LOGGER');
export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');
export const INGESTION_REDIS = Symbol('INGESTION_REDIS');
export const EXTRACTION_SCRIPT = Symbol('EXTRACTION_SCRIPT');
/** The loaded `transformers` embedder, or null where the platform runs no sentence model. */
export const SENTENCE_EMBEDDER = Symbol('SENTENCE_EMBEDDER');
