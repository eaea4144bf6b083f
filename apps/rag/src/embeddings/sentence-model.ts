import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { env, type FeatureExtractionPipeline, LogLevel, pipeline } from '@huggingface/transformers';

import { type ModelDtype, modelFiles } from './model-files';

export interface SentenceModelOptions {
  /** A hub model id, e.g. `Xenova/all-MiniLM-L6-v2`. */
  modelId: string;
  /** Absolute directory holding `<model id>/…`; downloads are stored there too. */
  modelDir: string;
  dtype: ModelDtype;
  /** Fetch missing files from `downloadHost`; false never touches the network. */
  allowDownload: boolean;
  downloadHost: string;
  /** ONNX Runtime's intra-op threads; its own default (the cores) when unset. */
  threads?: number;
}

/** The model cannot be used: its files are missing (and may not be fetched) or do not load. */
export class SentenceModelUnavailableError extends Error {
  override readonly name = 'SentenceModelUnavailableError';
}

export interface SentenceModel {
  dimensions: number;
  /** One L2-normalised vector per text, row after row. */
  embed(texts: string[]): Promise<Float32Array>;
}

/**
 * A sentence-embedding model run by transformers.js on ONNX Runtime: token vectors mean-pooled
 * over the attention mask and L2-normalised, as sentence-transformers does for MiniLM and BGE.
 */
export async function loadSentenceModel(options: SentenceModelOptions): Promise<SentenceModel> {
  configureTransformers(options);
  if (!options.allowDownload) {
    assertModelFiles(options);
  }
  try {
    const extractor = await pipeline('feature-extraction', options.modelId, {
      dtype: options.dtype,
      device: 'cpu',
      session_options: {
        // ONNX Runtime refuses an undefined thread count: none means its own default.
        ...(options.threads && { intraOpNumThreads: options.threads }),
        // Warnings would go to stderr outside our JSON logs; errors reach us as exceptions.
        logSeverityLevel: 3,
      },
    });
    // One inference at load time: a graph that does not run fails the start, not a document.
    const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
    return pooledModel(extractor, probe.dims[1]);
  } catch (error) {
    throw new SentenceModelUnavailableError(loadFailure(options, error));
  }
}

function pooledModel(extractor: FeatureExtractionPipeline, dimensions: number): SentenceModel {
  return {
    dimensions,
    async embed(texts) {
      const output = await extractor(texts, { pooling: 'mean', normalize: true });
      const data = output.data as Float32Array;
      // A vector array of its own, so its buffer can be transferred to another thread.
      return data.byteLength === data.buffer.byteLength ? data : data.slice();
    },
  };
}

function configureTransformers(options: SentenceModelOptions): void {
  env.logLevel = LogLevel.ERROR;
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowDownload;
  env.remoteHost = options.downloadHost;
  // Downloads land where local models are looked up: the next start needs no network.
  env.localModelPath = options.modelDir;
  env.cacheDir = options.modelDir;
  env.useFSCache = true;
}

function assertModelFiles(options: SentenceModelOptions): void {
  const modelPath = join(options.modelDir, options.modelId);
  const missing = modelFiles(options.dtype).filter((file) => !existsSync(join(modelPath, file)));
  if (missing.length === 0) {
    return;
  }
  throw new SentenceModelUnavailableError(
    `the embedding model ${options.modelId} (${options.dtype}) is not in ` +
      `EMBEDDING_MODEL_DIR=${options.modelDir}: ${missing.join(', ')} missing under ${modelPath}. ` +
      'Copy the model there (the layout of its hub repository), build the image with ' +
      '--build-arg EMBEDDING_MODEL, or set EMBEDDING_MODEL_DOWNLOAD=true where the hub is reachable',
  );
}

function loadFailure(options: SentenceModelOptions, error: unknown): string {
  const cause = describe(error);
  const where = options.allowDownload
    ? `EMBEDDING_MODEL_DIR=${options.modelDir} or ${options.downloadHost}`
    : `EMBEDDING_MODEL_DIR=${options.modelDir}`;
  return `the embedding model ${options.modelId} (${options.dtype}) could not be loaded from ${where}: ${cause}`;
}

/** The message with its cause's: `fetch failed` alone does not say the host was not found. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const cause = error.cause instanceof Error ? ` (${describe(error.cause)})` : '';
  return `${error.message}${cause}`;
}
