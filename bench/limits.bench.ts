// npm run bench:limits — the latency the rate-limit checks add to a request: the same
// authenticated route through a gateway with limits on and one with them off, on the same
// services, in the same run; plus the cost of a token-budget reservation and settlement.
import { cpus } from 'node:os';

import { Redis } from 'ioredis';

import { TokenBudget } from '@tenantbot/rate-limit';
import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { measure, type Measurement, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';

const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Concurrency levels, e.g. BENCH_LEVELS=1,16 for a quick comparison. */
const LEVELS = (process.env.BENCH_LEVELS ?? '1,16,64').split(',').map(Number);

async function main(): Promise<void> {
  const environment = await createBenchEnvironment('limits');
  const stack = await TestStack.start({
    services: ['tenants'],
    env: { ...environment.env, PRINCIPAL_REQUESTS_PER_MINUTE: '100000000' },
  });
  try {
    const unlimitedUrl = await stack.addGateway('gateway-unlimited', {
      RATE_LIMITS_ENABLED: 'false',
    });
    const uncachedUrl = await stack.addGateway('gateway-uncached', { ACCESS_CACHE_TTL_MS: '0' });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    const tenant = await superAdmin.post('/api/v1/tenants/', {
      name: 'Bench',
      slug: 'bench',
      plan: 'enterprise',
      rate_limits: { requests_per_minute: 1_000_000, requests_per_hour: 100_000_000 },
    });
    const created = await superAdmin
      .as(superAdmin.token, 'bench')
      .post('/api/v1/api-keys', { name: 'bench' });
    if (tenant.status !== 201 || created.status !== 201) {
      throw new Error(`setup failed: ${JSON.stringify([tenant.body, created.body])}`);
    }
    const key = created.body.key as string;
    const headers = { authorization: `Bearer ${key}` };
    const route = '/api/v1/auth/me';
    const paths = [
      { name: 'GET /ping (no auth, no limits)', call: () => get(`${stack.baseUrl}/ping`, {}) },
      { name: `GET ${route}, limits off`, call: () => get(`${unlimitedUrl}${route}`, headers) },
      { name: `GET ${route}, limits on`, call: () => get(`${stack.baseUrl}${route}`, headers) },
      {
        name: `GET ${route}, limits on, caller cache off`,
        call: () => get(`${uncachedUrl}${route}`, headers),
      },
    ];
    const rows: Record<string, string | number>[] = [];
    for (const path of paths) {
      await measure(path.call, 500, 16);
    } // warm-up
    const results = new Map<string, Measurement[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of LEVELS) {
        for (const path of paths) {
          const key = `${path.name}|${concurrency}`;
          results.set(key, [
            ...(results.get(key) ?? []),
            await measure(path.call, CALLS, concurrency),
          ]);
        }
      }
    }
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

    const redis = new Redis(environment.env.REDIS_URL);
    const budget = new TokenBudget(redis, environment.env.REDIS_PREFIX);
    const tenantId = String(tenant.body.id);
    const reserveAndSettle = async () => {
      const reservation = await budget.reserve(
        tenantId,
        { tokens_per_day: 1e12, monthly_budget_usd: 1e9 },
        { tokens: 500, micro_usd: 300 },
      );
      await budget.settle(reservation, { tokens: 420, micro_usd: 250 });
    };
    await measure(reserveAndSettle, 500, 16);
    const budgetRun = await measure(reserveAndSettle, CALLS, 1);
    rows.push({
      path: 'token budget reserve + settle (Redis)',
      clients: 1,
      'p50 ms': budgetRun.p50Ms,
      'p99 ms': budgetRun.p99Ms,
      'req/s': Math.round(budgetRun.perSecond),
    });
    redis.disconnect();

    printTable(
      `Rate-limit overhead, median of ${ROUNDS} interleaved rounds of ${CALLS} requests; Node ${process.version}, ` +
        `${cpus().length} cores shared by the load generator, gateways, tenants service, Postgres and Redis`,
      rows,
    );
  } finally {
    await stack.stop();
    await environment.teardown();
  }
}

async function get(url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
