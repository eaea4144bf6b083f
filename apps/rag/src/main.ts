import 'reflect-metadata';

import { join } from 'node:path';

import { loadConfigOrExit } from '@tenantbot/config';
import {
  createLogger,
  exitOnStartupFailure,
  guardProcess,
  type Logger,
} from '@tenantbot/observability';
import { startService, transportOptionsFrom } from '@tenantbot/transport';

import { RagModule } from './app.module';
import { type RagConfig, ragConfigSchema, sentenceModelId } from './config/rag-config';
import {
  EmbeddingModelUnavailableError,
  TransformersEmbedder,
} from './embeddings/transformers-embedder';

/**
 * Texts per inference of a sentence model. A search's query waits for the batch in flight, and
 * on a CPU larger batches gained little throughput (bench/README.md, Embeddings).
 */
const SENTENCE_BATCH_SIZE = 8;

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(ragConfigSchema, 'rag');
  const logger = createLogger('rag', config.LOG_LEVEL);
  guardProcess(logger);
  const module = RagModule.register({
    config,
    logger,
    extractionScript: join(__dirname, 'ingestion/extraction/extraction-process.js'),
    sentenceEmbedder: await loadSentenceEmbedderOrExit(config, logger),
  });
  await startService(module, {
    service: 'rag',
    ...transportOptionsFrom(config),
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

/**
 * The sentence model of the `transformers` provider, loaded (or downloaded) before the service
 * takes requests: a model that is missing stops the start with a message saying where it was
 * looked for, rather than failing every document later.
 */
async function loadSentenceEmbedderOrExit(
  config: RagConfig,
  logger: Logger,
): Promise<TransformersEmbedder | null> {
  const modelId = sentenceModelId(config);
  if (!modelId) {
    return null;
  }
  const started = performance.now();
  try {
    const embedder = await TransformersEmbedder.start({
      workerScript: join(__dirname, 'embeddings/embedding-worker.js'),
      batchSize: SENTENCE_BATCH_SIZE,
      modelId,
      modelDir: config.EMBEDDING_MODEL_DIR,
      dtype: config.EMBEDDING_MODEL_DTYPE,
      allowDownload: config.EMBEDDING_MODEL_DOWNLOAD,
      downloadHost: config.EMBEDDING_MODEL_HOST,
      threads: config.EMBEDDING_THREADS,
    });
    logger.info(
      {
        model: embedder.model,
        dimensions: embedder.dimensions,
        ms: Math.round(performance.now() - started),
      },
      'sentence embedding model loaded',
    );
    return embedder;
  } catch (error) {
    if (!(error instanceof EmbeddingModelUnavailableError)) {
      throw error;
    }
    process.stderr.write(`rag: ${error.message}\n`);
    process.exit(1);
  }
}

bootstrap().catch(exitOnStartupFailure);
