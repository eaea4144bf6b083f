import { loadConfigOrExit } from '@tenantbot/config';

import { ragConfigSchema, sentenceModelId } from '../config/rag-config';
import { loadSentenceModel, SentenceModelUnavailableError } from './sentence-model';

/**
 * Puts the sentence model of EMBEDDING_MODEL (EMBEDDING_MODEL_DTYPE) into EMBEDDING_MODEL_DIR
 * from EMBEDDING_MODEL_HOST and runs it once, so that a service started on that directory
 * needs no network: the Docker build bakes a model into the rag image with it.
 *   EMBEDDING_MODEL=Xenova/all-MiniLM-L6-v2 node dist/apps/rag/src/embeddings/download-model.js
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit(ragConfigSchema, 'download-model');
  const modelId = sentenceModelId(config);
  if (!modelId) {
    process.stderr.write('download-model: set EMBEDDING_MODEL to the model to download\n');
    process.exit(1);
  }
  try {
    const model = await loadSentenceModel({
      modelId,
      modelDir: config.EMBEDDING_MODEL_DIR,
      dtype: config.EMBEDDING_MODEL_DTYPE,
      allowDownload: true,
      downloadHost: config.EMBEDDING_MODEL_HOST,
      threads: config.EMBEDDING_THREADS,
    });
    process.stdout.write(
      `download-model: ${modelId} (${config.EMBEDDING_MODEL_DTYPE}, ${model.dimensions} dimensions) ` +
        `is in ${config.EMBEDDING_MODEL_DIR}\n`,
    );
  } catch (error) {
    if (!(error instanceof SentenceModelUnavailableError)) {
      throw error;
    }
    process.stderr.write(`download-model: ${error.message}\n`);
    process.exit(1);
  }
}

void main();
