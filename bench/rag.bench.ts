// npm run bench:rag — ingestion throughput and hybrid-search latency of the rag service (run
// as its own process, called over the transport), next to the raw Chroma and Postgres
// operations they are built from, in the same run. Creates and drops its own database.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { ChromaClient, type Collection } from 'chromadb';
import { Redis } from 'ioredis';
import pg from 'pg';

import { PING_PATTERN, RAG, RAG_DEFAULTS } from '@tenantbot/contracts';
import { bm25Ranking, ChromaHttp, LocalEmbedder, queryTerms } from '@tenantbot/rag/public-api';
import { runWithContext } from '@tenantbot/tenant-context';
import { TestStack } from '@tenantbot/testing';
import { measure, type Measurement, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';
import { CpuAccount, pidsNamed } from './process-cpu';
import { searchAtScale } from './rag-scale';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 4);
const DOCUMENTS_PER_TENANT = Number(process.env.BENCH_DOCUMENTS ?? 12);
const SENTENCES_PER_DOCUMENT = Number(process.env.BENCH_SENTENCES ?? 400);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 300);
const WARM_UP_DOCUMENTS = 8;
const CONCURRENCY = 8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_RAG_LOGS=1 prints the service's log of the timed ingestion, with each document's stages. */
const showLogs = process.env.BENCH_RAG_LOGS === '1';
const CANDIDATES = 20;
/** BENCH_RAG_SCALE_ONLY=1 runs only the search-at-scale rows (bench/rag-scale.ts). */
const scaleOnly = process.env.BENCH_RAG_SCALE_ONLY === '1';
/** BENCH_RAG_SCALE=0 leaves the search-at-scale rows out (several minutes of setup). */
const withScale = process.env.BENCH_RAG_SCALE !== '0';
/**
 * BENCH_CHUNK_SIZE=500 ingests with the chunks of stop 22 (overlap a tenth of the size), to
 * compare ingestion with the numbers measured before the default became 1,200.
 */
const CHUNK_SIZE = Number(process.env.BENCH_CHUNK_SIZE ?? RAG_DEFAULTS.chunk_size);
const CHUNK_OVERLAP =
  CHUNK_SIZE === RAG_DEFAULTS.chunk_size ? RAG_DEFAULTS.chunk_overlap : Math.round(CHUNK_SIZE / 10);

const VOCABULARY = (
  'account address agent answer billing booking browser cache card cart checkout claim ' +
  'contract courier credit customer database delivery deposit device discount dispatch ' +
  'document email error export invoice issue key language licence login mobile network ' +
  'notification order package parcel password payment permission plan policy price ' +
  'printer privacy profile quota receipt refund region report request return router ' +
  'schedule server session shipment storage subscription support tariff tax team ticket ' +
  'token transfer update upgrade user voucher warehouse warranty website window'
).split(' ');
const VERBS = 'requires covers explains limits changes protects replaces describes'.split(' ');

/** A deterministic pseudo-random generator, so every run ingests the same corpus. */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state % n;
  };
}

function corpusDocument(seed: number): string {
  const next = generator(seed);
  const word = () => VOCABULARY[next(VOCABULARY.length)];
  const sentences: string[] = [];
  for (let i = 0; i < SENTENCES_PER_DOCUMENT; i++) {
    sentences.push(
      `The ${word()} ${VERBS[next(VERBS.length)]} the ${word()} of every ${word()} within ${next(90) + 1} days.`,
    );
    if (i % 40 === 39) {
      sentences.push(`\n\n## Section ${i / 40 + 1}\n\n`);
    }
  }
  return `# Handbook ${seed}\n\n${sentences.join(' ')}`;
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 100,
) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) {
      return;
    }
    if (Date.now() > until) {
      throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The service's Chroma upserts logged between two instants, and the share of that time in
 * which at least one was in flight: near 100 %, Chroma never waited for our code.
 */
function upsertsIn(logs: string[], from: number, to: number) {
  const spans = logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; time: string; ms: number; records: number })
    .filter((entry) => entry.msg === 'vectors upserted' && Date.parse(entry.time) >= from)
    .map((entry) => ({ end: Date.parse(entry.time), ms: entry.ms, records: entry.records }))
    .sort((a, b) => a.end - a.ms - (b.end - b.ms));
  let covered = 0;
  let reach = from;
  for (const span of spans) {
    const start = Math.max(span.end - span.ms, reach);
    const end = Math.min(span.end, to);
    if (end > start) {
      covered += end - start;
    }
    reach = Math.max(reach, end);
  }
  return {
    requests: spans.length,
    records: spans.reduce((sum, span) => sum + span.records, 0),
    inFlightShare: covered / (to - from),
  };
}

/** A tenant admin's call, as the gateway sends it (rag's handlers need a principal). */
const asTenant = <T>(tenantId: string, work: () => Promise<T>) =>
  runWithContext(
    {
      requestId: randomUUID(),
      tenantId,
      principal: { role: 'tenant_admin', userId: randomUUID() },
    },
    work,
  );

function row(path: string, mode: string, result: Measurement) {
  return {
    path,
    mode,
    calls: result.calls,
    'p50 ms': result.p50Ms,
    'p99 ms': result.p99Ms,
    'calls/s': Math.round(result.perSecond),
  };
}

async function main(): Promise<void> {
  const environment = await createBenchEnvironment('rag');
  const filesDir = mkdtempSync(join(tmpdir(), 'tenantbot-bench-files-'));
  // At debug level the service logs each Chroma upsert it makes, which the ingestion reads.
  const stack = await TestStack.start({
    services: ['rag'],
    gateway: false,
    captureLogs: true,
    env: { FILES_DIR: filesDir, LOG_LEVEL: 'debug' },
  });
  const owner = new pg.Client({ connectionString: environment.env.DATABASE_URL });
  await owner.connect();
  const pool = new pg.Pool({ connectionString: environment.env.DATABASE_URL, max: CONCURRENCY });
  const client = stack.transportClient();
  const chromaUrl = new URL(environment.env.CHROMA_URL);
  const chromaClient = new ChromaClient({ host: chromaUrl.hostname, port: Number(chromaUrl.port) });
  // The raw Chroma calls go the service's way (ADR 5): the baseline is the engine, not the
  // cost of a slower client.
  const chromaHttp = new ChromaHttp(environment.env.CHROMA_URL);
  const tenants: string[] = [];
  const tenantCollections: string[] = [];
  try {
    if (scaleOnly) {
      await searchAtScale(environment, filesDir);
      return;
    }
    const createTenant = async (name: string) => {
      const { rows } = await owner.query<{ id: string }>(
        `INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`,
        [name, `${name.toLowerCase().replace(/\W+/g, '-')}-${process.pid}`],
      );
      tenantCollections.push(`t_${rows[0].id.replace(/-/g, '')}_`);
      return rows[0].id;
    };
    /** Creates every document at once and waits until the last one is completed. */
    const ingest = async (tenantIds: string[], documentsPerTenant: number) => {
      await Promise.all(
        tenantIds.flatMap((tenantId, t) =>
          Array.from({ length: documentsPerTenant }, (_, d) =>
            asTenant(tenantId, () =>
              client.request(RAG.DOCUMENTS_CREATE, {
                title: `Handbook ${t}-${d}`,
                text: corpusDocument(t * 1000 + d + 1),
                settings: { chunk_size: CHUNK_SIZE, chunk_overlap: CHUNK_OVERLAP },
              }),
            ),
          ),
        ),
      );
      // Polled often and cheaply (one owner query), so the clock stops within a few ms of the
      // last completion.
      await waitFor(
        async () => {
          const { rows } = await owner.query<{ completed: number }>(
            `SELECT count(*)::int AS completed FROM documents
              WHERE tenant_id = ANY ($1) AND status = 'completed'`,
            [tenantIds],
          );
          return rows[0].completed === tenantIds.length * documentsPerTenant;
        },
        'ingestion',
        600_000,
        5,
      ).catch(async (error: unknown) => {
        const { rows } = await owner.query(
          `SELECT status, error_code, error, count(*)::int FROM documents GROUP BY 1, 2, 3`,
        );
        console.error(rows);
        throw error;
      });
    };

    // A long-running service is measured, not a cold one: a first, untimed ingestion lets
    // V8 compile the hot paths and the pools open their connections.
    await ingest([await createTenant('Warm-up')], WARM_UP_DOCUMENTS);
    for (let t = 0; t < TENANTS; t++) {
      tenants.push(await createTenant(`Bench ${t}`));
    }

    // ---- ingestion: every document created at once, timed until the last one completes ----
    const processes = {
      'rag service': () => [stack.pid('rag') ?? -1],
      Chroma: () => (environment.chromaPid ? [environment.chromaPid] : []),
      'Postgres (all backends)': () => pidsNamed('postgres'),
      Redis: () => pidsNamed('redis-server'),
      bench: () => [process.pid],
    };
    const cpu = new CpuAccount(processes);
    stack.logs.length = 0;
    const started = performance.now();
    const startedAt = Date.now();
    await ingest(tenants, DOCUMENTS_PER_TENANT);
    const ingestSeconds = (performance.now() - started) / 1000;
    const documentCharacters = tenants
      .flatMap((_, t) =>
        Array.from({ length: DOCUMENTS_PER_TENANT }, (_, d) => corpusDocument(t * 1000 + d + 1)),
      )
      .reduce((sum, text) => sum + text.length, 0);
    const cpuUsed = cpu.used();
    const upserts = upsertsIn(stack.logs, startedAt, Date.now());
    if (showLogs) {
      stack.logs.forEach((line) => console.log(line));
    }
    const { rows: chunks } = await owner.query<{
      id: string;
      document_id: string;
      version: number;
      chunk_index: number;
      text: string;
      heading_path: string[];
    }>(
      `SELECT id, document_id, version, chunk_index, text, heading_path FROM chunks WHERE tenant_id = ANY ($1) ORDER BY id`,
      [tenants],
    );
    const failed = await owner.query(`SELECT 1 FROM documents WHERE status <> 'completed'`);
    if (failed.rowCount) {
      throw new Error(`${failed.rowCount} documents did not complete`);
    }

    // ---- the raw operations ingestion is made of, on the same chunks ----
    const embedder = new LocalEmbedder();
    const texts = chunks.map((chunk) =>
      chunk.heading_path.length > 0
        ? `${chunk.heading_path.join(' > ')}\n\n${chunk.text}`
        : chunk.text,
    );
    const embedStarted = performance.now();
    const vectors = await embedder.embed(texts);
    const embedSeconds = (performance.now() - embedStarted) / 1000;
    const raw: Collection = await chromaClient.createCollection({
      name: `bench_raw_${process.pid}`,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
    });
    const chromaAlone = new CpuAccount({
      Chroma: () => (environment.chromaPid ? [environment.chromaPid] : []),
    });
    const addStarted = performance.now();
    for (let start = 0; start < chunks.length; start += 500) {
      const batch = chunks.slice(start, start + 500);
      await chromaHttp.add(raw, {
        ids: batch.map((chunk) => chunk.id),
        embeddings: vectors.slice(start, start + 500),
        metadatas: batch.map((chunk) => ({
          document_id: chunk.document_id,
          version: chunk.version,
          chunk_index: chunk.chunk_index,
        })),
      });
    }
    const addSeconds = (performance.now() - addStarted) / 1000;
    const chromaAddCpu = chromaAlone.used().Chroma;

    printTable(
      `RAG ingestion: ${TENANTS} tenants × ${DOCUMENTS_PER_TENANT} documents, ${chunks.length} chunks of ≤ ${CHUNK_SIZE} characters, ` +
        `local embedder; ${process.platform}/${process.arch}, Node ${process.version}, ${cpus().length} cores`,
      [
        {
          path: 'rag service: create → completed (extract, chunk, embed, Chroma upsert, Postgres)',
          chunks: chunks.length,
          seconds: ingestSeconds,
          'chunks/s': Math.round(chunks.length / ingestSeconds),
          'document characters/s': Math.round(documentCharacters / ingestSeconds),
        },
        {
          path: 'raw LocalEmbedder.embed (same chunks, one process)',
          chunks: chunks.length,
          seconds: embedSeconds,
          'chunks/s': Math.round(chunks.length / embedSeconds),
        },
        {
          path: 'raw Chroma add (same records, batches of 500)',
          chunks: chunks.length,
          seconds: addSeconds,
          'chunks/s': Math.round(chunks.length / addSeconds),
        },
      ],
    );

    printTable(`Chroma upserts the rag service made during the ingestion (from its debug log)`, [
      {
        requests: upserts.requests,
        'records per request': Math.round(upserts.records / upserts.requests),
        'wall time with one in flight (%)': Math.round(upserts.inFlightShare * 100),
      },
    ]);

    const perThousandChunks = (seconds: number) =>
      Math.round((seconds * 1_000_000) / chunks.length);
    printTable(
      `CPU used by each process during the ingestion (${ingestSeconds.toFixed(2)} s) and the raw ` +
        `Chroma add (${addSeconds.toFixed(2)} s) above; busy 100 % = one core throughout`,
      [
        ...Object.entries(cpuUsed).map(([process, seconds]) => ({
          during: 'rag service ingestion',
          process,
          'CPU s': Number(seconds.toFixed(2)),
          'CPU ms per 1,000 chunks': perThousandChunks(seconds),
          'busy %': Math.round((seconds / ingestSeconds) * 100),
        })),
        {
          during: 'raw Chroma add',
          process: 'Chroma',
          'CPU s': Number(chromaAddCpu.toFixed(2)),
          'CPU ms per 1,000 chunks': perThousandChunks(chromaAddCpu),
          'busy %': Math.round((chromaAddCpu / addSeconds) * 100),
        },
      ],
    );

    // ---- search: hybrid over the transport next to its two raw halves ----
    // Statistics as autovacuum leaves them a minute later, and no autovacuum run landing in the
    // middle of the rounds (its CPU would count against whichever path was running).
    await owner.query('VACUUM ANALYZE chunks, documents');
    const next = generator(42);
    const queries = Array.from(
      { length: 64 },
      () => `${VOCABULARY[next(VOCABULARY.length)]} ${VOCABULARY[next(VOCABULARY.length)]} refund`,
    );
    // What the chat service retrieves with: a user's question, six words once stop words go.
    const word = () => VOCABULARY[next(VOCABULARY.length)];
    const questions = Array.from(
      { length: 64 },
      () =>
        `How do I get a ${word()} for my ${word()} when the ${word()} and the ${word()} do not match?`,
    );
    const queryVectors = await embedder.embed(queries);
    const tenantCollection = await chromaClient.getOrCreateCollection({
      name: `t_${tenants[0].replace(/-/g, '')}_${embedder.model}`,
      embeddingFunction: null,
    });
    let n = 0;
    const pick = () => n++ % queries.length;
    const rawChromaQuery = (query: number) =>
      chromaHttp.query(tenantCollection, {
        query_embeddings: [queryVectors[query]],
        n_results: CANDIDATES,
        include: ['distances'],
      });
    // ChunkRepository's BM25 ranking, as the superuser: no row-level security, and without
    // the rows and documents the service reads with it.
    const rawFullTextQuery = (text: string) =>
      pool.query(
        `WITH ${queryTerms('$1::text')}, ${bm25Ranking('$2::uuid', CANDIDATES)}
         SELECT id, rank FROM ranked`,
        [text, tenants[0]],
      );
    const paths: { name: string; call: () => Promise<unknown> }[] = [
      {
        name: 'hybrid rag.search over the transport (top_k 5)',
        call: () =>
          asTenant(tenants[0], () => client.request(RAG.SEARCH, { query: queries[pick()] })),
      },
      {
        name: 'rag.ping over the transport (the hop alone)',
        call: () => client.request(PING_PATTERN.rag),
      },
      {
        name: `raw Chroma query (${CANDIDATES} nearest, precomputed vector)`,
        call: () => rawChromaQuery(pick()),
      },
      {
        name: `raw Postgres full-text query (${CANDIDATES} best, BM25)`,
        call: () => rawFullTextQuery(queries[pick()]),
      },
      {
        // What running the two engines side by side costs on this machine: the floor of any
        // hybrid search here, before a hop, a query to embed or a row to read.
        name: 'both raw queries at once (Promise.all)',
        call: () => {
          const query = pick();
          return Promise.all([rawChromaQuery(query), rawFullTextQuery(queries[query])]);
        },
      },
      {
        name: 'hybrid rag.search, a 6-word question',
        call: () =>
          asTenant(tenants[0], () => client.request(RAG.SEARCH, { query: questions[pick()] })),
      },
      {
        name: 'raw Postgres full-text query, a 6-word question',
        call: () => rawFullTextQuery(questions[pick()]),
      },
    ];
    for (const path of paths) {
      await measure(path.call, 50, 4);
    } // warm-up
    const searchCpu = new Map<string, Record<string, number>>();
    const addCpu = (path: string, used: Record<string, number>) => {
      const total = searchCpu.get(path) ?? {};
      for (const [name, seconds] of Object.entries(used)) {
        total[name] = (total[name] ?? 0) + seconds;
      }
      searchCpu.set(path, total);
    };
    const rows: Record<string, string | number>[] = [];
    for (const [mode, concurrency] of [
      ['sequential', 1],
      [`${CONCURRENCY} concurrent`, CONCURRENCY],
    ] as const) {
      const rounds = new Map<string, Measurement[]>();
      // Interleaved rounds, each path's median kept: a burst of load on this shared machine
      // then lands on every path alike, not on one.
      for (let round = 0; round < ROUNDS; round++) {
        for (const path of paths) {
          const runs = rounds.get(path.name) ?? [];
          const account = new CpuAccount(processes);
          runs.push(await measure(path.call, SEARCHES, concurrency));
          if (concurrency === 1) {
            addCpu(path.name, account.used());
          }
          rounds.set(path.name, runs);
        }
      }
      for (const path of paths) {
        const runs = [...(rounds.get(path.name) ?? [])].sort((a, b) => a.p50Ms - b.p50Ms);
        rows.push(row(path.name, mode, runs[Math.floor(runs.length / 2)]));
      }
    }
    printTable(
      `RAG search over one tenant's ${Math.round(chunks.length / TENANTS)} chunks (of ${chunks.length}), ` +
        `median of ${ROUNDS} interleaved rounds; ` +
        `${cpus().length} cores shared by the bench, the rag service, Chroma, Postgres and Redis`,
      rows,
    );
    printTable(
      'CPU per search, by process (sequential rounds; ms of CPU per call)',
      [...searchCpu].map(([path, used]) => ({
        path,
        ...Object.fromEntries(
          Object.entries(used).map(([name, seconds]) => [
            name,
            Number(((seconds * 1000) / (SEARCHES * ROUNDS)).toFixed(2)),
          ]),
        ),
      })),
    );
    if (withScale) {
      await searchAtScale(environment, filesDir);
    }
  } finally {
    await client.close();
    await stack.stop();
    await owner.end();
    await pool.end();
    await chromaHttp.close();
    const collections = await chromaClient.listCollections({ limit: 1000 }).catch(() => []);
    for (const { name } of collections) {
      if (
        name === `bench_raw_${process.pid}` ||
        tenantCollections.some((prefix) => name.startsWith(prefix))
      ) {
        await chromaClient.deleteCollection({ name }).catch(() => undefined);
      }
    }
    await environment.teardown();
    const redis = new Redis(environment.env.REDIS_URL);
    const keys = await redis.keys(`${environment.env.REDIS_PREFIX}:*`);
    if (keys.length > 0) {
      await redis.unlink(...keys);
    }
    await redis.quit();
    rmSync(filesDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
