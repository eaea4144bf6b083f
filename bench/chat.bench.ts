// npm run bench:chat — POST /api/v1/chat/ through the gateway (local extractive provider, RAG
// on, a tenant with a few thousand chunks), next to the same request sent straight to the chat
// service over the transport, the hybrid search it runs (POST /api/v1/rag/search through the
// gateway, and rag.search straight over the transport) and a bare GET /ping, in the same run:
// the cost of each layer. Each concurrent client
// has an API key of its own, so the per-key limit is not what is measured.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';

import { CHAT, type ChatRequest, RAG } from '@tenantbot/contracts';
import { type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { type BenchPath, measure, measureInterleaved, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';
import { CpuAccount, pidsNamed, postgresPids } from './process-cpu';

const CALLS = Number(process.env.BENCH_CALLS ?? 400);
/** At most this many interleaved rounds; fewer at high concurrency, where a round needs 4 calls per client. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 20);
const PARAGRAPHS = Number(process.env.BENCH_PARAGRAPHS ?? 110);
/** Concurrency levels, e.g. BENCH_LEVELS=1,16 for a quick comparison. */
const LEVELS = (process.env.BENCH_LEVELS ?? '1,16,64').split(',').map(Number);
/** Clients of the CPU-per-request rows (each path run alone); 0 skips them. */
const CPU_CLIENTS = Number(process.env.BENCH_CPU_CLIENTS ?? 16);
const TOPICS =
  'refund shipping warranty invoice password login delivery parcel subscription upgrade'.split(' ');

function handbook(seed: number): string {
  const paragraphs = Array.from({ length: PARAGRAPHS }, (_, i) => {
    const topic = TOPICS[(seed + i) % TOPICS.length];
    return (
      `## ${topic} rule ${seed}-${i}\n\nThe ${topic} rule ${seed}-${i} says customers get an answer within ${(i % 9) + 1} days, ` +
      `and the ${topic} team reviews case ${seed * 1000 + i} before it closes.`
    );
  });
  return `# Handbook ${seed}\n\n${paragraphs.join('\n\n')}`;
}

async function main(): Promise<void> {
  const environment = await createBenchEnvironment('chat');
  const stack = await TestStack.start({
    env: {
      ...environment.env,
      PRINCIPAL_REQUESTS_PER_MINUTE: '100000000',
      INGESTION_REQUESTS_PER_MINUTE: '100000',
    },
  });
  const transport = stack.transportClient();
  try {
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    const tenant = await superAdmin.post('/api/v1/tenants/', {
      name: 'Chat bench',
      slug: 'chat-bench',
      plan: 'enterprise',
      rate_limits: { requests_per_minute: 1_000_000, requests_per_hour: 100_000_000 },
    });
    const admin = superAdmin.as(superAdmin.token, 'chat-bench');
    const keys: string[] = [];
    for (let client = 0; client < Math.max(...LEVELS); client++) {
      keys.push(
        (await admin.post('/api/v1/api-keys', { name: `bench ${client}`, role: 'user' })).body
          .key as string,
      );
    }
    let calls = 0;
    /** Round robin: the requests in flight at once carry different keys. */
    const nextKey = () => keys[calls++ % keys.length];
    const ids: string[] = [];
    for (let seed = 0; seed < DOCUMENTS; seed++) {
      ids.push(
        (
          await admin.post('/api/v1/rag/documents', {
            title: `Handbook ${seed}`,
            text: handbook(seed),
          })
        ).body.id,
      );
    }
    let chunks = 0;
    for (const id of ids) {
      for (;;) {
        const document = await admin.get(`/api/v1/rag/documents/${id}`);
        if (document.body.status === 'completed') {
          chunks += Number(document.body.chunk_count);
          break;
        }
        if (document.body.status === 'failed') {
          throw new Error(JSON.stringify(document.body));
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    const question = (): ChatRequest => ({
      message: `How many days does the ${TOPICS[Math.floor(Math.random() * TOPICS.length)]} rule give customers?`,
      model: 'local-extractive',
      use_rag: true,
    });
    const context: RequestContext = {
      requestId: randomUUID(),
      tenantId: String(tenant.body.id),
      principal: { role: 'user', apiKeyId: randomUUID() },
    };
    const paths: BenchPath[] = [
      { name: 'GET /ping (gateway only)', call: () => get(`${stack.baseUrl}/ping`) },
      {
        name: 'POST /api/v1/rag/search via the gateway',
        call: () =>
          post(`${stack.baseUrl}/api/v1/rag/search`, nextKey(), { query: question().message }),
      },
      {
        name: 'rag.search over the transport (no HTTP)',
        call: () =>
          runWithContext({ ...context, requestId: randomUUID() }, () =>
            transport.request(RAG.SEARCH, { query: question().message }, { timeoutMs: 60_000 }),
          ),
      },
      {
        name: 'chat.send over the transport (no HTTP)',
        call: () =>
          runWithContext({ ...context, requestId: randomUUID() }, () =>
            transport.request(CHAT.SEND, question(), { timeoutMs: 60_000 }),
          ),
      },
      {
        name: 'POST /api/v1/chat/ via the gateway',
        call: () => post(`${stack.baseUrl}/api/v1/chat/`, nextKey(), question()),
      },
    ];
    for (const path of paths) {
      await measure(path.call, 50, 8);
    } // warm-up
    const rows: Record<string, string | number>[] = [];
    for (const clients of LEVELS) {
      const rounds = Math.max(1, Math.min(ROUNDS, Math.floor(CALLS / (4 * clients))));
      const results = await measureInterleaved(paths, CALLS, clients, rounds);
      for (const path of paths) {
        const result = results.get(path.name);
        if (!result) {
          continue;
        }
        rows.push({
          path: path.name,
          clients,
          'p50 ms': result.p50Ms,
          'p99 ms': result.p99Ms,
          'req/s': Math.round(result.perSecond),
        });
      }
    }
    // The chat's own cost, without the search: what an answer adds to the search it runs.
    const withoutRag: BenchPath = {
      name: 'POST /api/v1/chat/ with use_rag: false',
      call: () =>
        post(`${stack.baseUrl}/api/v1/chat/`, nextKey(), { ...question(), use_rag: false }),
    };
    const cpuRows =
      CPU_CLIENTS > 0
        ? await cpuPerRequest([...paths.slice(1), withoutRag], stack, environment)
        : [];
    const search = await runWithContext(context, () =>
      transport.request(RAG.SEARCH, {
        query: 'refund rule days',
        top_k: 5,
      }),
    );
    printTable(
      `Chat with RAG (local extractive provider), ${chunks} chunks in the tenant, ${CALLS} requests per row ` +
        `in up to ${ROUNDS} interleaved rounds (at least 4 calls per client in each); ` +
        `Node ${process.version}, ${cpus().length} cores shared by the load generator, five apps, Postgres, Redis and Chroma`,
      rows,
    );
    if (cpuRows.length > 0) {
      printTable(
        `CPU milliseconds per request by process, each path run alone (${CALLS} calls, ` +
          `${CPU_CLIENTS} clients), same run`,
        cpuRows,
      );
    }
    if (search.results.length === 0) {
      throw new Error('the corpus is not searchable');
    }
  } finally {
    await transport.close();
    await stack.stop();
    await environment.teardown();
  }
}

/** Each path alone: what one request costs each process, in CPU milliseconds. */
async function cpuPerRequest(
  paths: BenchPath[],
  stack: TestStack,
  environment: { chromaPid?: number },
): Promise<Record<string, string | number>[]> {
  const processes: Record<string, () => number[]> = {
    gateway: () => [stack.pid('gateway') ?? -1],
    chat: () => [stack.pid('chat') ?? -1],
    rag: () => [stack.pid('rag') ?? -1],
    tenants: () => [stack.pid('tenants') ?? -1],
    'Postgres backends': () => postgresPids('backends'),
    'Postgres background': () => postgresPids('background'),
    Chroma: () => (environment.chromaPid ? [environment.chromaPid] : []),
    Redis: () => pidsNamed('redis-server'),
    bench: () => [process.pid],
  };
  const rows: Record<string, string | number>[] = [];
  for (const path of paths) {
    const account = new CpuAccount(processes);
    await measure(path.call, CALLS, CPU_CLIENTS);
    const used = account.used();
    const perRequest = (seconds: number) => Math.round((seconds * 1e6) / CALLS) / 1000;
    const total = Object.values(used).reduce((sum, seconds) => sum + seconds, 0);
    rows.push({
      path: path.name,
      ...Object.fromEntries(Object.entries(used).map(([name, s]) => [name, perRequest(s)])),
      total: perRequest(total),
    });
  }
  return rows;
}

async function get(url: string): Promise<void> {
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
}

async function post(url: string, token: string, body: object): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}: ${text}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
