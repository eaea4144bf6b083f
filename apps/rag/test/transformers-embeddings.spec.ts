import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type DocumentView, RAG } from '@tenantbot/contracts';
import { TINY_MODEL_ID, writeTinySentenceModel } from '@tenantbot/testing';

import { LocalEmbedder } from '../src/embeddings/local-embedder';
import { ChromaVectorStore } from '../src/vectors/chroma-vector-store';
import { LOCAL_MODEL, RagHarness } from './support/rag-harness';

const SENTENCE_MODEL = `${TINY_MODEL_ID}:fp32`;
const REFUNDS = 'Refunds are paid back to the card within 14 days.';
const DOG = 'Our office dog is called Biscuit and likes walks.';
const QUERY = 'reimbursement';
const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i], 0);

describe('the transformers embedding provider in the running rag service', () => {
  let modelDir: string;
  let rag: RagHarness;
  let tenantA: string;
  let tenantB: string;
  let refunds: DocumentView;
  let dog: DocumentView;

  const create = (tenant: string, title: string, text: string, settings?: object) =>
    rag.call(tenant, RAG.DOCUMENTS_CREATE, { title, text, settings });
  const search = (tenant: string, query: string, extra: object = {}) =>
    rag.call(tenant, RAG.SEARCH, { query, ...extra });

  beforeAll(async () => {
    modelDir = await mkdtemp(join(tmpdir(), 'tenantbot-models-'));
    await writeTinySentenceModel(modelDir);
    rag = await RagHarness.start({
      EMBEDDING_PROVIDER: 'transformers',
      EMBEDDING_MODEL: TINY_MODEL_ID,
      EMBEDDING_MODEL_DIR: modelDir,
      EMBEDDING_MODEL_DOWNLOAD: 'false',
    });
    [tenantA, tenantB] = [await rag.createTenant('A'), await rag.createTenant('B')];
    [refunds, dog] = await Promise.all([
      create(tenantA, 'Refunds', REFUNDS),
      create(tenantA, 'Office', DOG),
    ]);
    await create(tenantB, 'Bikes', 'Tenant B sells bicycles and delivers every parcel by courier.');
    await Promise.all([rag.settled(tenantA, refunds.id), rag.settled(tenantA, dog.id)]);
  });

  afterAll(async () => {
    await rag?.stop();
    await rm(modelDir, { recursive: true, force: true });
  });

  it('embeds documents with the sentence model into a collection of its own', async () => {
    const done = await rag.settled(tenantA, refunds.id);
    expect(done).toMatchObject({ status: 'completed', embedding_model: SENTENCE_MODEL });
    const chunks = await rag.chunkRows(refunds.id);
    expect(await rag.vectorIds(tenantA, refunds.id, SENTENCE_MODEL)).toEqual(
      chunks.map((chunk) => chunk.id).sort(),
    );
    expect(await rag.vectorIds(tenantA, refunds.id, LOCAL_MODEL)).toEqual([]);
    expect(ChromaVectorStore.collectionName(tenantA, SENTENCE_MODEL)).not.toBe(
      ChromaVectorStore.collectionName(tenantA, LOCAL_MODEL),
    );
  });

  it('finds a passage by meaning when the question shares no word with it', async () => {
    // The hashing embedder ranks both the other way round: only the sentence model gets them.
    for (const [query, expected] of [
      ['repayment', () => [refunds.id, dog.id]],
      ['puppy', () => [dog.id, refunds.id]],
    ] as const) {
      const reply = await search(tenantA, query, { top_k: 2 });
      expect(reply.results.map((result) => result.document_id)).toEqual(expected());
      const hashed = new LocalEmbedder().vector(query);
      const [refundsScore, dogScore] = [REFUNDS, DOG].map((text) =>
        dot(hashed, new LocalEmbedder().vector(text)),
      );
      expect(refundsScore > dogScore).toBe(query !== 'repayment');
    }
  });

  it("never finds another tenant's passages, by query or by its document ids", async () => {
    const reply = await search(tenantB, QUERY, { top_k: 10 });
    expect(reply.results.length).toBeGreaterThan(0);
    for (const result of reply.results) {
      expect([refunds.id, dog.id]).not.toContain(result.document_id);
      expect(result.text).not.toContain('Refunds');
    }
    const targeted = await search(tenantB, QUERY, { document_ids: [refunds.id, dog.id] });
    expect(targeted.results).toEqual([]);
  });

  it('still embeds with the hashing embedder for a tenant whose settings choose local', async () => {
    const local = await create(tenantB, 'Local', REFUNDS, { embedding_provider: 'local' });
    const done = await rag.settled(tenantB, local.id);
    expect(done).toMatchObject({ status: 'completed', embedding_model: LOCAL_MODEL });
    expect(await rag.vectorIds(tenantB, local.id, LOCAL_MODEL)).toHaveLength(1);
    expect(await rag.vectorIds(tenantB, local.id, SENTENCE_MODEL)).toEqual([]);
  });

  it('removes the vectors from the sentence model collection with the document', async () => {
    const doomed = await create(tenantA, 'Doomed', 'Express shipping takes two days.');
    await rag.settled(tenantA, doomed.id);
    expect(await rag.vectorIds(tenantA, doomed.id, SENTENCE_MODEL)).toHaveLength(1);
    await rag.call(tenantA, RAG.DOCUMENTS_DELETE, { id: doomed.id });
    expect(await rag.vectorIds(tenantA, doomed.id, SENTENCE_MODEL)).toEqual([]);
  });
});

describe('a rag service whose sentence model is missing', () => {
  it('stops at start with a message naming EMBEDDING_MODEL_DIR and the model, no stack trace', async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'tenantbot-no-models-'));
    try {
      const result = spawnSync(
        process.execPath,
        [join(process.env.TEST_WORKSPACE_ROOT ?? process.cwd(), 'dist/apps/rag/src/main.js')],
        {
          env: {
            ...process.env,
            EMBEDDING_PROVIDER: 'transformers',
            EMBEDDING_MODEL: 'acme/absent-model',
            EMBEDDING_MODEL_DIR: emptyDir,
            EMBEDDING_MODEL_DOWNLOAD: 'false',
          },
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`rag: the embedding model acme/absent-model (fp32)`);
      expect(result.stderr).toContain(`EMBEDDING_MODEL_DIR=${emptyDir}`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});
