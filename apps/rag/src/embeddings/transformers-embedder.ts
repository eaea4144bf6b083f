import { Worker } from 'node:worker_threads';

import { type Embedder, EmbeddingProviderError } from './embedder';
import type { EmbedRequest, WorkerMessage } from './embedding-worker';
import type { SentenceModelOptions } from './sentence-model';

export interface TransformersEmbedderOptions extends SentenceModelOptions {
  /** The built `embedding-worker.js`. */
  workerScript: string;
  /**
   * Texts per inference. A batch is padded to its longest text, and a long batch holds the
   * worker while queries wait: small batches of texts of similar length.
   */
  batchSize: number;
}

/** The model could not be loaded: what is missing, and where it was looked for. */
export class EmbeddingModelUnavailableError extends Error {
  override readonly name = 'EmbeddingModelUnavailableError';
}

interface EmbeddingJob {
  texts: string[];
  /** Text indices from shortest to longest: each batch holds texts of about one length. */
  order: number[];
  next: number;
  vectors: number[][];
  resolve: (vectors: number[][]) => void;
  reject: (error: Error) => void;
}

/**
 * A sentence-embedding model (transformers.js on ONNX Runtime) in a worker thread of the rag
 * service, so inference never blocks the service's event loop. One batch runs at a time;
 * requests that fit in one batch (search queries) go before the batches of longer ones
 * (documents being ingested), so a search waits for at most one batch of an ingestion, and
 * longer requests take turns.
 */
export class TransformersEmbedder implements Embedder {
  readonly model: string;
  private worker?: Worker;
  private restarting = false;
  private closed = false;
  private readonly urgent: EmbeddingJob[] = [];
  private readonly bulk: EmbeddingJob[] = [];
  private inFlight?: { id: number; job: EmbeddingJob; indices: number[] };
  private nextId = 0;

  private constructor(
    private readonly options: TransformersEmbedderOptions,
    worker: Worker,
    readonly dimensions: number,
  ) {
    this.model = `${options.modelId}:${options.dtype}`;
    this.attach(worker);
  }

  /** Loads the model in its worker; rejects with EmbeddingModelUnavailableError. */
  static async start(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const { worker, dimensions } = await startWorker(options);
    return new TransformersEmbedder(options, worker, dimensions);
  }

  embed(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) {
      return Promise.resolve([]);
    }
    if (this.closed) {
      return Promise.reject(new EmbeddingProviderError(`${this.model} is shut down`, true));
    }
    return new Promise((resolve, reject) => {
      const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
      const job = { texts, order, next: 0, vectors: new Array(texts.length), resolve, reject };
      (texts.length <= this.options.batchSize ? this.urgent : this.bulk).push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const failure = new EmbeddingProviderError(`${this.model} is shut down`, true);
    for (const job of [...this.urgent, ...this.bulk]) {
      job.reject(failure);
    }
    this.urgent.length = this.bulk.length = 0;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', () => undefined); // followed by 'exit', handled there
    worker.once('exit', (code) => this.onExit(worker, code));
  }

  private dispatch(): void {
    if (this.inFlight || this.closed) {
      return;
    }
    const queue = this.urgent.length > 0 ? this.urgent : this.bulk;
    const job = queue[0];
    if (!job) {
      return;
    }
    if (!this.worker) {
      return this.restart();
    }
    const indices = job.order.slice(job.next, job.next + this.options.batchSize);
    job.next += indices.length;
    // Larger requests take turns batch by batch: one tenant's long document does not hold
    // back the ingestion of the others.
    if (queue === this.bulk) {
      this.bulk.push(this.bulk.shift() as EmbeddingJob);
    }
    const id = this.nextId++;
    this.inFlight = { id, job, indices };
    const request: EmbedRequest = { id, texts: indices.map((i) => job.texts[i]) };
    this.worker.postMessage(request);
  }

  private onMessage(message: WorkerMessage): void {
    const flight = this.inFlight;
    if (!flight || !('id' in message) || message.id !== flight.id) {
      return;
    }
    this.inFlight = undefined;
    const { job, indices } = flight;
    if (message.type === 'failed') {
      this.finish(job).reject(
        new EmbeddingProviderError(`${this.model}: ${message.message}`, false),
      );
    } else if (message.type === 'embedded') {
      const size = this.dimensions;
      indices.forEach((text, row) => {
        job.vectors[text] = Array.from(message.vectors.subarray(row * size, (row + 1) * size));
      });
      if (job.next >= job.texts.length) {
        this.finish(job).resolve(job.vectors);
      }
    }
    this.dispatch();
  }

  /** The worker died (out of memory, a crash in the runtime): its batch may be retried. */
  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) {
      return;
    }
    this.worker = undefined;
    const flight = this.inFlight;
    this.inFlight = undefined;
    if (flight) {
      this.finish(flight.job).reject(
        new EmbeddingProviderError(`${this.model}: the embedding worker stopped (${code})`, true),
      );
    }
    this.dispatch();
  }

  private restart(): void {
    if (this.restarting) {
      return;
    }
    this.restarting = true;
    startWorker(this.options)
      .then(
        ({ worker }) => (this.closed ? void worker.terminate() : this.attach(worker)),
        (error: Error) => {
          const failure = new EmbeddingProviderError(error.message, true);
          for (const job of [...this.urgent, ...this.bulk]) {
            job.reject(failure);
          }
          this.urgent.length = this.bulk.length = 0;
        },
      )
      .finally(() => {
        this.restarting = false;
        this.dispatch();
      });
  }

  /** Takes the job out of its queue. */
  private finish(job: EmbeddingJob): EmbeddingJob {
    for (const queue of [this.urgent, this.bulk]) {
      const index = queue.indexOf(job);
      if (index >= 0) {
        queue.splice(index, 1);
      }
    }
    return job;
  }
}

function startWorker(
  options: TransformersEmbedderOptions,
): Promise<{ worker: Worker; dimensions: number }> {
  const { modelId, modelDir, dtype, allowDownload, downloadHost, threads } = options;
  const modelOptions: SentenceModelOptions = {
    modelId,
    modelDir,
    dtype,
    allowDownload,
    downloadHost,
    threads,
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(options.workerScript, { workerData: modelOptions });
    const onMessage = (message: WorkerMessage) => {
      if (message.type !== 'ready') {
        return fail(message.type === 'unavailable' ? message.message : 'unexpected worker message');
      }
      stopListening();
      resolve({ worker, dimensions: message.dimensions });
    };
    const onError = (error: Error) => fail(`the embedding worker failed: ${error.message}`);
    const onExit = (code: number) => fail(`the embedding worker exited (${code}) while loading`);
    // Only these listeners: Worker keeps listeners of its own on the same events.
    const stopListening = () => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    const fail = (message: string) => {
      stopListening();
      void worker.terminate();
      reject(new EmbeddingModelUnavailableError(message));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
