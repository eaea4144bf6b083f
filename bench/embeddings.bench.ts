// npm run bench:embeddings — what each embedding provider costs, in this process: chunks per
// second at the ingestion's batch size, a query's latency when idle and while an ingestion
// runs, and how long the event loop stalled meanwhile. The transformers provider runs on the
// tests' tiny model and on a MiniLM-L6-shaped graph of random weights (no weights can be
// downloaded here); OpenAI only when OPENAI_API_KEY is set (real requests: a few cents).
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  type Embedder,
  embeddingWorkerScript,
  LocalEmbedder,
  OpenAIEmbedder,
  TransformersEmbedder,
} from '@tenantbot/rag/public-api';
import { TINY_MODEL_ID, writeTinySentenceModel } from '@tenantbot/testing';
import { measure, printTable } from '@tenantbot/testing';

import { MINILM_SHAPE, writeMiniLmShapedModel } from './minilm-shaped-model';

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 512);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 100);
/** The ingestion pipeline's batch (EMBEDDING_BATCH_SIZE). */
const PIPELINE_BATCH = 256;
/** Texts per inference of a sentence model, as main.ts sets it. */
const SENTENCE_BATCH = Number(process.env.BENCH_SENTENCE_BATCH ?? 8);
const THREADS = process.env.BENCH_EMBEDDING_THREADS
  ? Number(process.env.BENCH_EMBEDDING_THREADS)
  : undefined;

const WORDS = (
  'refund refunds delivery parcel courier shipping days weeks holiday leave account billing ' +
  'invoice customer order payment policy return warranty subscription support ticket'
).split(' ');

/** About 500 characters, like a chunk of the default chunker. */
function chunk(seed: number): string {
  const sentences: string[] = [];
  let i = seed;
  while (sentences.join(' ').length < 480) {
    const word = () => WORDS[(i = (i * 1_103_515_245 + 12_345) >>> 0) % WORDS.length];
    sentences.push(`The ${word()} of every ${word()} is paid within ${(i % 60) + 1} ${word()}.`);
  }
  return sentences.join(' ');
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The longest time the event loop could not run a timer: what a search or a health check waits. */
class LoopStallMeter {
  private last = performance.now();
  private max = 0;
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.max = Math.max(this.max, now - this.last - 1);
    this.last = now;
  }, 1);

  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.max, performance.now() - this.last - 1);
  }
}

async function benchmark(name: string, embedder: Embedder) {
  const texts = Array.from({ length: CHUNKS }, (_, i) => chunk(i + 1));
  await embedder.embed(texts.slice(0, 8)); // warm up
  const idle = await measure(() => embedder.embed(['how long do refunds take?']), QUERIES, 1);

  const stalls = new LoopStallMeter();
  const started = performance.now();
  const ingestion = (async () => {
    for (let start = 0; start < texts.length; start += PIPELINE_BATCH) {
      await embedder.embed(texts.slice(start, start + PIPELINE_BATCH));
      await nextTurn(); // the pipeline writes to Chroma between batches
    }
    return performance.now() - started;
  })();
  // Queries while the ingestion runs, as searches arrive at a busy rag replica.
  const queryLatencies: number[] = [];
  let ingesting = true;
  void ingestion.then(() => (ingesting = false));
  while (ingesting) {
    const begin = performance.now();
    await embedder.embed(['how long do refunds take?']);
    queryLatencies.push(performance.now() - begin);
    await nextTurn();
  }
  const ingestionMs = await ingestion;
  const maxStallMs = stalls.stop();
  queryLatencies.sort((a, b) => a - b);
  return {
    embedder: name,
    model: embedder.model,
    dims: embedder.dimensions,
    chunks: CHUNKS,
    'chunks/s': (CHUNKS / ingestionMs) * 1000,
    'query p50 ms (idle)': idle.p50Ms,
    'query p50 ms (ingesting)': queryLatencies[Math.floor(queryLatencies.length / 2)],
    'loop max stall ms': maxStallMs,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tenantbot-bench-models-'));
  const sentenceEmbedder = (modelId: string) =>
    TransformersEmbedder.start({
      workerScript: embeddingWorkerScript,
      batchSize: SENTENCE_BATCH,
      modelId,
      modelDir: dir,
      dtype: 'fp32',
      allowDownload: false,
      downloadHost: 'http://127.0.0.1:9/',
      threads: THREADS,
    });
  const rows = [];
  try {
    await writeTinySentenceModel(dir);
    await writeMiniLmShapedModel(dir, 'bench/minilm-l6-shaped');
    rows.push(await benchmark('local (hashing)', new LocalEmbedder()));
    for (const [name, modelId] of [
      ['transformers, tiny test model', TINY_MODEL_ID],
      [
        `transformers, MiniLM-L6 shape (${MINILM_SHAPE.layers}×${MINILM_SHAPE.hidden})`,
        'bench/minilm-l6-shaped',
      ],
    ]) {
      const embedder = await sentenceEmbedder(modelId);
      try {
        rows.push(await benchmark(name, embedder));
      } finally {
        await embedder.close();
      }
    }
    if (process.env.OPENAI_API_KEY) {
      const openai = new OpenAIEmbedder({
        apiKey: process.env.OPENAI_API_KEY,
        baseURL: process.env.OPENAI_BASE_URL,
        model: process.env.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small',
        batchSize: PIPELINE_BATCH,
        maxRetries: 2,
      });
      rows.push(await benchmark('openai', openai));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  printTable(
    `Embedders: ${CHUNKS} chunks of ~500 characters in batches of ${PIPELINE_BATCH}, ` +
      `${QUERIES} idle queries; ${cpus().length} cores, ONNX threads ${THREADS ?? 'default'}, ` +
      `sentence model batches of ${SENTENCE_BATCH}` +
      (process.env.OPENAI_API_KEY ? '' : '; openai skipped (no OPENAI_API_KEY)'),
    rows,
  );
}

void main();
