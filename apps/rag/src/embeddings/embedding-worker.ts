import { parentPort, workerData } from 'node:worker_threads';

import {
  loadSentenceModel,
  type SentenceModel,
  type SentenceModelOptions,
  SentenceModelUnavailableError,
} from './sentence-model';

/** Main thread → worker: embed these texts. */
export interface EmbedRequest {
  id: number;
  texts: string[];
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'ready'; dimensions: number }
  | { type: 'unavailable'; message: string }
  | { type: 'embedded'; id: number; vectors: Float32Array }
  | { type: 'failed'; id: number; message: string };

/**
 * The thread that runs the sentence model. ONNX Runtime's Node binding runs inference
 * synchronously on the calling thread, so here rather than on the service's event loop.
 */
async function serve(port: NonNullable<typeof parentPort>, options: SentenceModelOptions) {
  let model: SentenceModel;
  try {
    model = await loadSentenceModel(options);
  } catch (error) {
    const message = error instanceof SentenceModelUnavailableError ? error.message : String(error);
    port.postMessage({ type: 'unavailable', message } satisfies WorkerMessage);
    return;
  }
  port.on('message', ({ id, texts }: EmbedRequest) => {
    model.embed(texts).then(
      (vectors) =>
        port.postMessage({ type: 'embedded', id, vectors } satisfies WorkerMessage, [
          vectors.buffer as ArrayBuffer,
        ]),
      (error: unknown) =>
        port.postMessage({
          type: 'failed',
          id,
          message: error instanceof Error ? error.message : String(error),
        } satisfies WorkerMessage),
    );
  });
  port.postMessage({ type: 'ready', dimensions: model.dimensions } satisfies WorkerMessage);
}

if (parentPort) {
  void serve(parentPort, workerData as SentenceModelOptions);
}
