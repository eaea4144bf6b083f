// npm run bench:web-channel — what the web channel adds to a request: CORS preflights (the
// gateway's remembered answer and a lookup in the tenants service each time), opening a
// visitor session, and a visitor's request (token, origin and widget checked) next to the same
// route with an API key, in the same run.
import { cpus } from 'node:os';

import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { measure, type Measurement, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LEVELS = [1, 16];
const SITE = 'https://shop.bench.test';

async function main(): Promise<void> {
  const environment = await createBenchEnvironment('webchannel');
  const unlimited = {
    PRINCIPAL_REQUESTS_PER_MINUTE: '100000000',
    RATE_LIMITS_ENABLED: 'false',
  };
  const stack = await TestStack.start({
    services: ['tenants', 'chat'],
    env: { ...environment.env, ...unlimited },
    readyTimeoutMs: 90_000,
  });
  try {
    const uncachedUrl = await stack.addGateway('gateway-uncached', {
      ...unlimited,
      CORS_ORIGIN_CACHE_S: '0',
    });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    await superAdmin.post('/api/v1/tenants/', { name: 'Bench', slug: 'bench', plan: 'enterprise' });
    const admin = superAdmin.as(superAdmin.token, 'bench');
    const apiKey = (await admin.post('/api/v1/api-keys', { name: 'bench' })).body.key as string;
    const widget = await admin.post('/api/v1/widgets', {
      name: 'Bench',
      allowed_origins: [SITE],
      limits: { messages_per_minute: 1000, messages_per_visitor_per_day: 100_000 },
    });
    if (widget.status !== 201) {
      throw new Error(`setup failed: ${JSON.stringify(widget.body)}`);
    }
    const key = widget.body.public_key as string;
    const session = await call(stack.baseUrl, '/api/v1/widget/sessions', {
      method: 'POST',
      headers: { origin: SITE, 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });
    const visitorToken = (session as { token: string }).token;
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST' },
    };
    const conversations = '/api/v1/chat/conversations';
    const paths = [
      { name: 'GET /ping', call: () => call(stack.baseUrl, '/ping', {}) },
      {
        name: 'OPTIONS preflight, remembered origin',
        call: () => call(stack.baseUrl, '/api/v1/chat/', preflight),
      },
      {
        name: 'OPTIONS preflight, origin looked up',
        call: () => call(uncachedUrl, '/api/v1/chat/', preflight),
      },
      {
        name: 'POST /widget/sessions',
        call: () =>
          call(stack.baseUrl, '/api/v1/widget/sessions', {
            method: 'POST',
            headers: { origin: SITE, 'content-type': 'application/json' },
            body: JSON.stringify({ key }),
          }),
      },
      {
        name: `GET ${conversations}, API key`,
        call: () =>
          call(stack.baseUrl, conversations, { headers: { authorization: `Bearer ${apiKey}` } }),
      },
      {
        name: `GET ${conversations}, visitor`,
        call: () =>
          call(stack.baseUrl, conversations, {
            headers: { authorization: `Bearer ${visitorToken}`, origin: SITE },
          }),
      },
    ];
    for (const path of paths) {
      await measure(path.call, 300, 16);
    } // warm-up
    const results = new Map<string, Measurement[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of LEVELS) {
        for (const path of paths) {
          const id = `${path.name}|${concurrency}`;
          results.set(id, [
            ...(results.get(id) ?? []),
            await measure(path.call, CALLS, concurrency),
          ]);
        }
      }
    }
    const rows: Record<string, string | number>[] = [];
    for (const concurrency of LEVELS) {
      for (const path of paths) {
        const runs = (results.get(`${path.name}|${concurrency}`) ?? []).sort(
          (a, b) => a.perSecond - b.perSecond,
        );
        const median = runs[Math.floor(runs.length / 2)];
        rows.push({
          path: path.name,
          clients: concurrency,
          'p50 ms': median.p50Ms,
          'p99 ms': median.p99Ms,
          'req/s': Math.round(median.perSecond),
        });
      }
    }
    printTable(
      `Web channel, median of ${ROUNDS} interleaved rounds of ${CALLS} requests; Node ${process.version}, ` +
        `${cpus().length} cores shared by the load generator, gateways, services, Postgres and Redis`,
      rows,
    );
  } finally {
    await stack.stop();
    await environment.teardown();
  }
}

async function call(base: string, path: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  if (response.status >= 400) {
    throw new Error(`${path} answered ${response.status}: ${text}`);
  }
  if (init.method === 'OPTIONS' && !response.headers.get('access-control-allow-origin')) {
    throw new Error('the preflight did not allow the origin');
  }
  return response.headers.get('content-type')?.includes('json')
    ? (JSON.parse(text) as unknown)
    : text;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
