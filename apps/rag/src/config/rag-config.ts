import { resolve } from 'node:path';

import { z } from 'zod';

import {
  chromaEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  transportEnvSchema,
} from '@tenantbot/config';
import { EMBEDDING_PROVIDERS } from '@tenantbot/contracts';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';
import { objectStorageEnvSchema } from '@tenantbot/object-storage';

import { MODEL_DTYPES, type ModelDtype } from '../embeddings/model-files';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ms = z.coerce.number().int().positive();
const optionalText = z
  .string()
  .optional()
  .transform((value) => value || undefined);

const embeddingsEnvSchema = z.object({
  /** Used by tenants whose settings choose `openai`; without it they are refused. */
  OPENAI_API_KEY: optionalText,
  /** An OpenAI-compatible endpoint (Azure, a proxy, a local fake in tests). */
  OPENAI_BASE_URL: optionalText.refine(
    (value) => value === undefined || URL.canParse(value),
    'must be a URL',
  ),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  /** Retries inside the SDK (which honours Retry-After) before the job's own backoff. */
  OPENAI_MAX_RETRIES: count(0, 10).default(2),
  EMBEDDING_BATCH_SIZE: count(1, 2048).default(256),
  /** The provider of tenants whose settings name none. */
  EMBEDDING_PROVIDER: z.enum(EMBEDDING_PROVIDERS).default('local'),
  /**
   * A sentence model on the hub (`owner/name`) for the `transformers` provider; setting it
   * makes the provider available to tenants. Defaults to DEFAULT_SENTENCE_MODEL when
   * EMBEDDING_PROVIDER=transformers.
   */
  EMBEDDING_MODEL: optionalText.refine(
    (value) => value === undefined || /^[\w.-]+(\/[\w.-]+)?$/.test(value),
    'must be a model id: owner/name',
  ),
  /** Where models are looked up (`<dir>/<owner>/<name>/`) and downloads are kept. */
  EMBEDDING_MODEL_DIR: z
    .string()
    .min(1)
    .default('.data/models')
    .transform((value) => resolve(value)),
  /** The weights' precision: `onnx/model.onnx` for fp32, `onnx/model_quantized.onnx` for q8… */
  EMBEDDING_MODEL_DTYPE: z
    .enum(Object.keys(MODEL_DTYPES) as [ModelDtype, ...ModelDtype[]])
    .default('fp32'),
  /** Fetch a model missing from EMBEDDING_MODEL_DIR from EMBEDDING_MODEL_HOST; false: never. */
  EMBEDDING_MODEL_DOWNLOAD: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** The model hub or a mirror of it. */
  EMBEDDING_MODEL_HOST: z.url({ protocol: /^https?$/ }).default('https://huggingface.co/'),
  /** Threads of one inference (ONNX Runtime's intra-op threads); the CPU's cores when unset. */
  EMBEDDING_THREADS: count(1, 256).optional(),
});

const ingestionEnvSchema = z.object({
  /** Ingestion jobs one rag replica runs at once. */
  INGESTION_CONCURRENCY: count(1, 64).default(8),
  /** Jobs of one tenant running at once across all replicas; the rest wait their turn. */
  INGESTION_TENANT_CONCURRENCY: count(1, 64).default(4),
  /** Attempts of a job failing on transient errors (embedding 429/5xx, Chroma, network). */
  INGESTION_ATTEMPTS: count(1, 20).default(5),
  /** First retry delay; doubles with every attempt. */
  INGESTION_BACKOFF_MS: ms.default(2000),
  /** A job whose worker stops renewing its lock this long is taken over by another worker. */
  INGESTION_LOCK_MS: ms.default(30_000),
  /** Time and memory one extraction (parsing one document) may use before it is killed. */
  EXTRACTION_TIMEOUT_MS: ms.default(60_000),
  EXTRACTION_MEMORY_MB: count(32, 16_384).default(512),
});

const webEnvSchema = z.object({
  WEB_FETCH_TIMEOUT_MS: ms.default(15_000),
  /** The largest web page (or robots.txt, sitemap) read; bigger ones are cut off and refused. */
  WEB_FETCH_MAX_BYTES: count(1024, 1024 ** 3).default(5 * 1024 * 1024),
  /** Upper bounds on what a crawl request may ask for. */
  WEB_CRAWL_MAX_PAGES: count(1, 10_000).default(100),
  WEB_CRAWL_MAX_DEPTH: count(0, 10).default(3),
  WEB_USER_AGENT: z.string().min(1).default('tenantbot'),
  /**
   * `host:port` pairs fetched even though they resolve to private or loopback addresses.
   * For tests only (a local web server); leave empty in production.
   */
  WEB_FETCH_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter(Boolean),
    ),
});

const searchEnvSchema = z.object({
  /**
   * Weight of the `local` embedder's vector ranking in the fusion, the full-text ranking's
   * being 1. Its hashed word features found less than BM25 alone on the gitdocs set
   * (bench/README.md#retrieval-quality), so by default it is left out; other embedders
   * weigh 1.
   */
  SEARCH_LOCAL_VECTOR_WEIGHT: z.coerce.number().min(0).max(10).default(0),
  /**
   * A search whose best chunk holds less than this share of the query's terms (weighted by
   * their rarity) reports `no_relevant_context`.
   */
  SEARCH_RELEVANCE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.25),
});

export const ragConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape)
  .extend(serviceDatabaseEnvSchema.shape)
  .extend(chromaEnvSchema.shape)
  .extend(objectStorageEnvSchema.shape)
  .extend(embeddingsEnvSchema.shape)
  .extend(ingestionEnvSchema.shape)
  .extend(webEnvSchema.shape)
  .extend(searchEnvSchema.shape)
  .refine((config) => config.EMBEDDING_PROVIDER !== 'openai' || config.OPENAI_API_KEY, {
    path: ['EMBEDDING_PROVIDER'],
    message: 'openai needs OPENAI_API_KEY',
  });

export type RagConfig = z.output<typeof ragConfigSchema>;

/** The model of EMBEDDING_PROVIDER=transformers when EMBEDDING_MODEL names none. */
export const DEFAULT_SENTENCE_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** The sentence model this service runs, if any: EMBEDDING_MODEL, or the default one. */
export function sentenceModelId(config: RagConfig): string | undefined {
  if (config.EMBEDDING_MODEL) {
    return config.EMBEDDING_MODEL;
  }
  return config.EMBEDDING_PROVIDER === 'transformers' ? DEFAULT_SENTENCE_MODEL : undefined;
}
