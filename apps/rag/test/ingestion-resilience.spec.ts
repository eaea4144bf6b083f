import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { type DocumentView, PING_PATTERN, RAG } from '@tenantbot/contracts';

import { Chunker } from '../src/chunks/chunker';
import { pdf } from './support/document-fixtures';
import { FakeOpenAI } from './support/fake-openai';
import { RagHarness } from './support/rag-harness';

const OPENAI_MODEL = 'text-embedding-3-small';
const openai = { embedding_provider: 'openai', chunk_size: 200, chunk_overlap: 0 } as const;

/** Distinct sentences, so that every chunk is different. */
const longText = (sentences: number, topic = 'ingestion') =>
  Array.from(
    { length: sentences },
    (_, i) => `Fact ${i} about ${topic} is recorded here for testing.`,
  ).join(' ');

describe('ingestion under failures, load and crashes', () => {
  let rag: RagHarness;
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await FakeOpenAI.start(16);
    rag = await RagHarness.start({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: fake.baseURL,
      // The SDK does not retry here: what fails reaches the job, which must back off.
      OPENAI_MAX_RETRIES: '0',
      EMBEDDING_BATCH_SIZE: '4',
      INGESTION_CONCURRENCY: '2',
      INGESTION_TENANT_CONCURRENCY: '1',
      INGESTION_ATTEMPTS: '5',
      EXTRACTION_MEMORY_MB: '160',
    });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await rag.stop();
    await fake.close();
  });

  function create(tenantId: string, text: string, settings: object = openai) {
    return rag.call(tenantId, RAG.DOCUMENTS_CREATE, { title: 'Doc', text, settings });
  }

  it('backs off on 429 and 503 from the embedding provider instead of failing the document', async () => {
    const tenant = await rag.createTenant();
    fake.answerNext({ status: 429 }, { status: 503 }, { status: 429 });
    const document = await create(tenant, longText(3));
    const done = await rag.settled(tenant, document.id);
    expect(done).toMatchObject({ status: 'completed', embedding_model: OPENAI_MODEL });
    expect(fake.requests.length).toBeGreaterThanOrEqual(4);
  });

  it('fails at once, with the reason, when the provider refuses for good', async () => {
    const tenant = await rag.createTenant();
    fake.answerNext({ status: 401 });
    const done = await rag.settled(tenant, (await create(tenant, 'Some text.')).id);
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ code: 'EMBEDDING_FAILED', message: expect.stringMatching(/401/) });
    expect(fake.requests).toHaveLength(1);
  });

  it("does not let one tenant's backlog starve another tenant", async () => {
    const busy = await rag.createTenant('Busy');
    const quiet = await rag.createTenant('Quiet');
    fake.delayMs = 150;
    const backlog: DocumentView[] = [];
    for (let i = 0; i < 4; i++) {
      backlog.push(await create(busy, longText(6, `batch ${i}`)));
    }
    const small = await create(quiet, longText(6, 'quiet'));

    const quietDone = await rag.settled(quiet, small.id, 20_000);
    const busyDone = await Promise.all(
      backlog.map((document) => rag.settled(busy, document.id, 20_000)),
    );
    expect([quietDone, ...busyDone].every((document) => document.status === 'completed')).toBe(
      true,
    );
    // One job of the busy tenant at a time: its documents finish one after the other...
    const finished = busyDone.map((document) => Date.parse(document.processed_at ?? ''));
    expect(finished).toEqual([...finished].sort((a, b) => a - b));
    // ...and the quiet tenant, last in line, finished before most of them.
    const quietFinished = Date.parse(quietDone.processed_at ?? '');
    expect(finished.filter((at) => at > quietFinished).length).toBeGreaterThanOrEqual(2);
  });

  it('fails a PDF bomb on its memory cap and keeps serving everyone else', async () => {
    const tenant = await rag.createTenant();
    const id = randomUUID();
    await mkdir(join(rag.filesDir, tenant), { recursive: true });
    const bomb = pdf([{ bombMb: 300 }]);
    await writeFile(join(rag.filesDir, tenant, id), bomb);
    const exploded = await rag.call(tenant, RAG.DOCUMENTS_CREATE, {
      document_id: id,
      storage_key: `${tenant}/${id}`,
      filename: 'bomb.pdf',
      bytes: bomb.length,
    });
    const fine = await create(tenant, 'A perfectly ordinary document.', {
      embedding_provider: 'local',
    });

    const [failed, completed] = await Promise.all([
      rag.settled(tenant, exploded.id, 20_000),
      rag.settled(tenant, fine.id, 20_000),
    ]);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({
      code: 'EXTRACTION_LIMIT_EXCEEDED',
      message: expect.stringMatching(/more than 160 MB of memory/),
    });
    expect(completed.status).toBe('completed');
    await rag.call(undefined, PING_PATTERN.rag, {});
  });

  it('finishes a job whose worker was killed mid-ingestion, with exactly one copy of each chunk', async () => {
    const tenant = await rag.createTenant();
    const text = longText(60, 'crash safety');
    const expected = new Chunker({ size: 200, overlap: 0 }).split([
      { text, page: null, sourceUrl: null },
    ]);
    expect(expected.length).toBeGreaterThanOrEqual(20);
    fake.delayMs = 100;
    const document = await create(tenant, text);

    // Kill the service once part of the vectors is written.
    const until = Date.now() + 10_000;
    while (fake.requests.length < 3 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await rag.stack.kill('rag', 'SIGKILL');
    const beforeCrash = fake.requests.length;
    const partial = await rag.vectorIds(tenant, document.id, OPENAI_MODEL);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(expected.length);

    fake.delayMs = 0;
    await rag.stack.restart('rag');
    const done = await rag.settled(tenant, document.id, 20_000);

    expect(done).toMatchObject({ status: 'completed', version: 1, chunk_count: expected.length });
    const rows = await rag.chunkRows(document.id);
    expect(rows.map((row) => row.chunk_index)).toEqual(expected.map((chunk) => chunk.index));
    expect(await rag.vectorIds(tenant, document.id, OPENAI_MODEL)).toEqual(
      rows.map((row) => row.id).sort(),
    );
    expect(fake.requests.length).toBeGreaterThan(beforeCrash); // the job really ran again
  });
});
