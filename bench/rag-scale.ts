// The scale rows of npm run bench:rag: p50 of POST /api/v1/rag/search through the gateway for a
// tenant of 2,000 chunks and one of 40,000, on the same questions, in one run, as the service
// searches (its role under row-level security). The chunks are written straight into
// Postgres as the owner (documents marked completed; the index triggers run as at ingestion)
// and their vectors straight into Chroma, so the setup takes a minute, not the half hour an
// ingestion of 40,000 chunks would.
import { randomUUID } from 'node:crypto';

import { ChromaClient } from 'chromadb';
import pg from 'pg';

import { ChromaHttp, ChromaVectorStore, LocalEmbedder } from '@tenantbot/rag/public-api';
import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { type BenchPath, measureInterleaved, printTable } from '@tenantbot/testing';

import type { BenchEnvironment } from './bench-environment';

const SMALL_CHUNKS = Number(process.env.BENCH_SCALE_SMALL ?? 2_000);
const LARGE_CHUNKS = Number(process.env.BENCH_SCALE_LARGE ?? 40_000);
const CHUNKS_PER_DOCUMENT = 20;
const WORDS_PER_CHUNK = 150;
/** Invented words, drawn log-uniformly: a few very common, most rare, as in real text. */
const VOCABULARY_SIZE = 20_000;
const QUESTIONS = 40;
const SEARCHES = Number(process.env.BENCH_SCALE_SEARCHES ?? 200);

/**
 * Documents and chunks for a tenant, in one statement per 100 documents. `setseed` makes every
 * run write the same words.
 */
async function fillTenant(owner: pg.Client, tenantId: string, chunks: number, seed: number) {
  await owner.query(`SELECT setseed($1)`, [seed]);
  const documents = Math.ceil(chunks / CHUNKS_PER_DOCUMENT);
  for (let first = 0; first < documents; first += 100) {
    await owner.query(
      `WITH d AS (
         INSERT INTO documents (tenant_id, source, title, status, chunk_count, embedding_model, processed_at)
         SELECT $1, 'text', 'Scale ' || i, 'completed', $3, $4, now()
           FROM generate_series($2::int, least($2::int + 99, $5::int - 1)) i
         RETURNING id
       )
       INSERT INTO chunks (id, tenant_id, document_id, version, chunk_index, text)
       SELECT gen_random_uuid(), $1, d.id, 1, k,
              (SELECT string_agg('w' || floor(power(${VOCABULARY_SIZE}, random()))::int, ' ')
                 FROM generate_series(1, ${WORDS_PER_CHUNK} + k * 0))
         FROM d CROSS JOIN generate_series(0, $3::int - 1) k`,
      [tenantId, first, CHUNKS_PER_DOCUMENT, new LocalEmbedder().model, documents],
    );
  }
}

/** The tenant's chunks as vectors in its collection, the way the service writes them. */
async function addVectors(owner: pg.Client, chromaUrl: string, tenantId: string) {
  const embedder = new LocalEmbedder();
  const url = new URL(chromaUrl);
  const client = new ChromaClient({ host: url.hostname, port: Number(url.port) });
  const http = new ChromaHttp(chromaUrl);
  const collection = await client.getOrCreateCollection({
    name: ChromaVectorStore.collectionName(tenantId, embedder.model),
    embeddingFunction: null,
    configuration: { hnsw: { space: 'cosine' } },
  });
  const { rows } = await owner.query<{
    id: string;
    document_id: string;
    chunk_index: number;
    text: string;
  }>(`SELECT id, document_id, chunk_index, text FROM chunks WHERE tenant_id = $1 ORDER BY id`, [
    tenantId,
  ]);
  for (let start = 0; start < rows.length; start += 500) {
    const batch = rows.slice(start, start + 500);
    await http.add(collection, {
      ids: batch.map((row) => row.id),
      embeddings: await embedder.embed(batch.map((row) => row.text)),
      metadatas: batch.map((row) => ({
        document_id: row.document_id,
        version: 1,
        chunk_index: row.chunk_index,
      })),
    });
  }
  await http.close();
}

/** Questions of 3 to 6 words drawn from the corpus's distribution, the same for both tenants. */
function questions(): string[] {
  let state = 7;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: QUESTIONS }, () =>
    Array.from(
      { length: 3 + Math.floor(next() * 4) },
      () => `w${Math.floor(VOCABULARY_SIZE ** next())}`,
    ).join(' '),
  );
}

export async function searchAtScale(environment: BenchEnvironment, filesDir: string) {
  const stack = await TestStack.start({
    services: ['tenants', 'rag'],
    env: { FILES_DIR: filesDir, RATE_LIMITS_ENABLED: 'false' },
  });
  const owner = new pg.Client({ connectionString: environment.env.DATABASE_URL });
  await owner.connect();
  try {
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    const tenant = async (name: string) => {
      const slug = `${name}-${randomUUID().slice(0, 8)}`;
      const created = await superAdmin.post<{ id: string }>('/api/v1/tenants/', {
        name,
        slug,
        plan: 'enterprise',
      });
      if (created.status !== 201) {
        throw new Error(`tenant: ${JSON.stringify(created.body)}`);
      }
      return { id: created.body.id, api: superAdmin.as(superAdmin.token, slug) };
    };
    const small = await tenant('scale-small');
    const large = await tenant('scale-large');
    const asked = questions();
    const search = (api: ApiClient) => {
      let n = 0;
      return async () => {
        const response = await api.post('/api/v1/rag/search', { query: asked[n++ % asked.length] });
        if (response.status !== 200) {
          throw new Error(`search: ${JSON.stringify(response.body)}`);
        }
      };
    };
    const setup: Record<string, string | number>[] = [];
    const timed = async (what: string, work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      setup.push({
        step: what,
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      });
    };

    await timed(`${SMALL_CHUNKS} chunks into Postgres (SQL as the owner, index triggers)`, () =>
      fillTenant(owner, small.id, SMALL_CHUNKS, 0.1),
    );
    await timed(`their vectors into Chroma`, () =>
      addVectors(owner, environment.env.CHROMA_URL, small.id),
    );
    await owner.query('VACUUM ANALYZE chunks, chunk_terms, chunk_term_counts, chunk_corpus_counts');
    const smallPath: BenchPath = {
      name: `tenant of ${SMALL_CHUNKS} chunks`,
      call: search(small.api),
    };
    for (let i = 0; i < 40; i++) {
      await smallPath.call();
    } // warm-up
    const alone = await measureInterleaved([smallPath], SEARCHES, 1, 4);

    await timed(`${LARGE_CHUNKS} chunks into Postgres (SQL as the owner, index triggers)`, () =>
      fillTenant(owner, large.id, LARGE_CHUNKS, 0.2),
    );
    await timed(`their vectors into Chroma`, () =>
      addVectors(owner, environment.env.CHROMA_URL, large.id),
    );
    await owner.query('VACUUM ANALYZE chunks, chunk_terms, chunk_term_counts, chunk_corpus_counts');
    const largePath: BenchPath = {
      name: `tenant of ${LARGE_CHUNKS} chunks`,
      call: search(large.api),
    };
    for (let i = 0; i < 40; i++) {
      await largePath.call();
    }
    const together = await measureInterleaved([smallPath, largePath], SEARCHES, 1, 4);

    printTable('Scale setup', setup);
    const rows = [
      { when: `alone in the database`, ...alone.get(smallPath.name), path: smallPath.name },
      ...[smallPath, largePath].map((path) => ({
        when: `next to the other tenant`,
        ...together.get(path.name),
        path: path.name,
      })),
    ].map(({ path, when, calls, p50Ms, p99Ms }) => ({
      path: `POST /api/v1/rag/search via the gateway, ${path}`,
      when,
      calls: calls ?? 0,
      'p50 ms': p50Ms ?? NaN,
      'p99 ms': p99Ms ?? NaN,
    }));
    const smallP50 = together.get(smallPath.name)?.p50Ms ?? NaN;
    const largeP50 = together.get(largePath.name)?.p50Ms ?? NaN;
    printTable(
      `Search at scale: the same ${QUESTIONS} questions (3-6 words) for both tenants, sequential, ` +
        `4 interleaved rounds; 40k p50 / 2k p50 = ${(largeP50 / smallP50).toFixed(2)} (target ≤ 2)`,
      rows,
    );
  } finally {
    await owner.end();
    await stack.stop();
  }
}
