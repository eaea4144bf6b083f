import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  FakeModelHub,
  referenceEmbedding,
  TINY_MODEL_DIMENSIONS,
  TINY_MODEL_ID,
  type TinySentenceModel,
  writeTinySentenceModel,
} from '@tenantbot/testing';

import { modelFiles } from './model-files';
import {
  EmbeddingModelUnavailableError,
  TransformersEmbedder,
  type TransformersEmbedderOptions,
} from './transformers-embedder';

const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i], 0);

/** The worker runs from dist/, which the test run's global setup builds. */
const workerScript = join(
  process.env.TEST_WORKSPACE_ROOT ?? process.cwd(),
  'dist/apps/rag/src/embeddings/embedding-worker.js',
);

describe('TransformersEmbedder on a tiny generated BERT model', () => {
  let root: string;
  let modelDir: string;
  let tiny: TinySentenceModel;
  let hub: FakeModelHub;
  let embedder: TransformersEmbedder;
  const started: TransformersEmbedder[] = [];

  const options = (overrides: Partial<TransformersEmbedderOptions> = {}) => ({
    workerScript,
    batchSize: 4,
    modelId: TINY_MODEL_ID,
    modelDir,
    dtype: 'fp32' as const,
    allowDownload: false,
    downloadHost: hub.url,
    threads: 1,
    ...overrides,
  });
  const start = async (overrides: Partial<TransformersEmbedderOptions> = {}) => {
    const instance = await TransformersEmbedder.start(options(overrides));
    started.push(instance);
    return instance;
  };
  const startFailure = (overrides: Partial<TransformersEmbedderOptions>) =>
    start(overrides).then(
      () => {
        throw new Error('the embedder started');
      },
      (error: unknown) => error as Error,
    );

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tenantbot-models-'));
    modelDir = join(root, 'models');
    tiny = await writeTinySentenceModel(modelDir);
    hub = await FakeModelHub.start(modelDir);
    embedder = await start();
  });

  afterAll(async () => {
    await Promise.all(started.map((instance) => instance.close()));
    await hub.close();
    await rm(root, { recursive: true, force: true });
  });

  it('gives unit vectors of the model dimension, the same for the same text every time', async () => {
    expect(embedder.dimensions).toBe(TINY_MODEL_DIMENSIONS);
    expect(embedder.model).toBe(`${TINY_MODEL_ID}:fp32`);
    const [a, b] = await embedder.embed(['Refunds take 14 days.', 'Refunds take 14 days.']);
    const [c] = await embedder.embed(['Refunds take 14 days.']);
    expect(a).toHaveLength(TINY_MODEL_DIMENSIONS);
    expect(Math.sqrt(dot(a, a))).toBeCloseTo(1, 6);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('mean-pools the token vectors over the attention mask, as sentence-transformers does', async () => {
    // Batched with a longer text, the short one is padded: padding must not move its vector.
    const [short, long] = await embedder.embed([
      'the refund',
      'every dog likes walks and our cat likes the courier',
    ]);
    const expectedShort = referenceEmbedding(tiny, ['the', 'refund']);
    const expectedLong = referenceEmbedding(
      tiny,
      'every dog likes walks and our cat likes the courier'.split(' '),
    );
    short.forEach((value, i) => expect(value).toBeCloseTo(expectedShort[i], 5));
    long.forEach((value, i) => expect(value).toBeCloseTo(expectedLong[i], 5));
  });

  it('keeps the order of many texts of mixed lengths across its batches', async () => {
    const words = ['refund', 'dog', 'shipping', 'holiday', 'days'];
    const texts = Array.from({ length: 23 }, (_, i) =>
      Array.from({ length: 1 + ((i * 7) % 9) }, (_, j) => words[(i + j) % words.length]).join(' '),
    );
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      const expected = referenceEmbedding(tiny, text.split(' '));
      vectors[i].forEach((value, k) => expect(value).toBeCloseTo(expected[k], 5));
    });
  });

  it('places texts of one meaning together although they share no words', async () => {
    const [query, related, unrelated] = await embedder.embed([
      'how do I get a reimbursement?',
      'Refunds are paid back to the card within 14 days.',
      'Our office dog is called Biscuit and likes walks.',
    ]);
    expect(dot(query, related)).toBeGreaterThan(0.8);
    expect(dot(query, related)).toBeGreaterThan(dot(query, unrelated) + 0.5);
  });

  it('embeds a query before the rest of a long ingestion batch', async () => {
    const finished: string[] = [];
    const documents = embedder
      .embed(Array.from({ length: 40 }, (_, i) => `refund ${i} days`))
      .then(() => finished.push('documents'));
    const query = embedder.embed(['reimbursement']).then(() => finished.push('query'));
    await Promise.all([documents, query]);
    expect(finished).toEqual(['query', 'documents']);
  });

  it('lets concurrent ingestions take turns, so a short one is not held back by a long one', async () => {
    const finished: string[] = [];
    const long = embedder
      .embed(Array.from({ length: 40 }, (_, i) => `shipping ${i} weeks`))
      .then(() => finished.push('long'));
    const short = embedder
      .embed(Array.from({ length: 8 }, (_, i) => `holiday ${i} days`))
      .then(() => finished.push('short'));
    await Promise.all([long, short]);
    expect(finished).toEqual(['short', 'long']);
  });

  it('returns nothing for no texts', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it('refuses a missing model with EMBEDDING_MODEL_DIR and the model id, touching no network', async () => {
    const error = await startFailure({ modelId: 'acme/missing-model' });
    expect(error).toBeInstanceOf(EmbeddingModelUnavailableError);
    expect(error.message).toContain(`EMBEDDING_MODEL_DIR=${modelDir}`);
    expect(error.message).toContain('acme/missing-model');
    expect(error.message).toContain('onnx/model.onnx');
    expect(hub.requests).toEqual([]);
  });

  it('names the weights of the precision asked for when only others are present', async () => {
    const error = await startFailure({ dtype: 'q8' });
    expect(error.message).toMatch(/onnx\/model_quantized\.onnx missing/);
    expect(error.message).not.toMatch(/config\.json/);
  });

  it('refuses weights that ONNX Runtime cannot load, with the model id', async () => {
    const brokenDir = join(root, 'broken');
    const broken = await writeTinySentenceModel(brokenDir);
    await writeFile(join(broken.modelPath, 'onnx/model.onnx'), 'not an onnx graph');
    const error = await startFailure({ modelDir: brokenDir });
    expect(error).toBeInstanceOf(EmbeddingModelUnavailableError);
    expect(error.message).toContain(`${TINY_MODEL_ID} (fp32) could not be loaded`);
  });

  it('downloads a missing model from the hub into EMBEDDING_MODEL_DIR, then runs offline', async () => {
    const emptyDir = join(root, 'download');
    const downloaded = await start({ modelDir: emptyDir, allowDownload: true });
    for (const file of modelFiles('fp32')) {
      expect(existsSync(join(emptyDir, TINY_MODEL_ID, file))).toBe(true);
    }
    expect(hub.requests).toContain(`/${TINY_MODEL_ID}/resolve/main/onnx/model.onnx`);

    const requests = hub.requests.length;
    const offline = await start({ modelDir: emptyDir, allowDownload: false });
    const [expected] = await embedder.embed(['refund policy']);
    expect(await downloaded.embed(['refund policy'])).toEqual([expected]);
    expect(await offline.embed(['refund policy'])).toEqual([expected]);
    expect(hub.requests).toHaveLength(requests);
  });

  it('downloads with the script the Docker build runs, which reports where the model is', async () => {
    const bakedDir = join(root, 'baked');
    const script = join(dirname(workerScript), 'download-model.js');
    // Asynchronously: the hub answers from this process.
    const result = await promisify(execFile)(process.execPath, [script], {
      env: {
        ...process.env,
        EMBEDDING_MODEL: TINY_MODEL_ID,
        EMBEDDING_MODEL_DIR: bakedDir,
        EMBEDDING_MODEL_HOST: hub.url,
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${TINY_MODEL_ID} (fp32, 16 dimensions) is in ${bakedDir}`);
    for (const file of modelFiles('fp32')) {
      expect(existsSync(join(bakedDir, TINY_MODEL_ID, file))).toBe(true);
    }
  });

  it('runs quantized weights under a model name of their own', async () => {
    const quantizedDir = join(root, 'quantized');
    await writeTinySentenceModel(quantizedDir, { variants: ['model_quantized'] });
    const quantized = await start({ modelDir: quantizedDir, dtype: 'q8' });
    expect(quantized.model).toBe(`${TINY_MODEL_ID}:q8`);
    const [vector] = await quantized.embed(['refund']);
    expect(vector).toHaveLength(TINY_MODEL_DIMENSIONS);
  });

  it('refuses work after close, as a retryable provider error', async () => {
    const closing = await start();
    await closing.close();
    await expect(closing.embed(['refund'])).rejects.toMatchObject({
      name: 'EmbeddingProviderError',
      retryable: true,
    });
  });
});
