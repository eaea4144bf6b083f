// npm run bench:login — what a login costs and what its throttle adds: logins through the
// gateway (by X-Tenant-ID, by a verified custom domain's Host, wrong passwords), the
// throttle's Redis work per login on its own, and an authenticated request resolved by
// X-Tenant-ID next to one resolved by Host.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';

import { Redis } from 'ioredis';

import { LoginThrottle } from '@tenantbot/rate-limit';
import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { measure, type Measurement, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 100);
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const DOMAIN = 'chat.bench-login.example';

async function main(): Promise<void> {
  // No service of this benchmark talks to Chroma: do not start one.
  process.env.CHROMA_URL ??= 'http://127.0.0.1:9';
  const environment = await createBenchEnvironment('login');
  const stack = await TestStack.start({
    services: ['tenants'],
    env: {
      ...environment.env,
      TRUST_PROXY: 'true',
      PRINCIPAL_REQUESTS_PER_MINUTE: '100000000',
      LOGIN_FAILURES_PER_IP: '100000000',
    },
  });
  const redis = new Redis(environment.env.REDIS_URL);
  try {
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    const tenant = await superAdmin.post('/api/v1/tenants/', {
      name: 'Bench',
      slug: 'bench',
      plan: 'enterprise',
      domains: [DOMAIN],
      rate_limits: { requests_per_minute: 1_000_000, requests_per_hour: 100_000_000 },
    });
    const password = 'bench password long enough';
    const user = await superAdmin.as(superAdmin.token, 'bench').post('/api/v1/admin/users', {
      username: 'bench-user',
      password,
      role: 'agent',
    });
    if (tenant.status !== 201 || user.status !== 201) {
      throw new Error(`setup failed: ${JSON.stringify([tenant.body, user.body])}`);
    }
    const anonymous = new ApiClient(stack.baseUrl);
    const credentials = { username: 'bench-user', password };
    const login = (client: ApiClient, body: object, expected: number) => async () => {
      const response = await client.post('/api/v1/auth/login', body);
      if (response.status !== expected) {
        throw new Error(`login answered ${response.status}`);
      }
      return response;
    };
    const token = (await login(anonymous.as(undefined, 'bench'), credentials, 200)()).body
      .access_token as string;
    const me = (client: ApiClient) => async () => {
      const response = await client.get('/api/v1/auth/me');
      if (response.status !== 200) {
        throw new Error(`/auth/me answered ${response.status}`);
      }
    };
    const throttle = new LoginThrottle(redis, {
      keyPrefix: environment.env.REDIS_PREFIX,
      failuresPerIp: 100_000_000,
      ipWindowSeconds: 86_400,
      failuresPerAccountAndIp: 10,
      blockSeconds: 3600,
    });
    const wrongPassword = { ...credentials, password: 'wrong' };
    const fromNewAddress = () =>
      anonymous.as(undefined, 'bench').withHeaders({
        'X-Forwarded-For': `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}::1`,
      });

    const paths: { name: string; calls: number; call: () => Promise<unknown> }[] = [
      {
        name: 'POST /auth/login, X-Tenant-ID',
        calls: LOGINS,
        call: login(anonymous.as(undefined, 'bench'), credentials, 200),
      },
      {
        name: 'POST /auth/login, Host: verified domain',
        calls: LOGINS,
        call: login(anonymous.withHeaders({ Host: DOMAIN }), credentials, 200),
      },
      {
        name: 'POST /auth/login, wrong password',
        calls: LOGINS,
        call: () => login(fromNewAddress(), wrongPassword, 401)(),
      },
      {
        name: 'throttle admit + success (Redis)',
        calls: CALLS,
        call: async () => {
          const attempt = { ip: '203.0.113.1', account: 'bench:user' };
          await throttle.admit(attempt);
          await throttle.recordSuccess(attempt);
        },
      },
      {
        name: 'throttle admit + failure (Redis)',
        calls: CALLS,
        call: async () => {
          const attempt = { ip: '203.0.113.2', account: `bench:${randomUUID()}` };
          await throttle.admit(attempt);
          await throttle.recordFailure(attempt);
        },
      },
      {
        name: 'GET /auth/me, X-Tenant-ID',
        calls: CALLS,
        call: me(anonymous.as(token, 'bench')),
      },
      {
        name: 'GET /auth/me, Host: verified domain',
        calls: CALLS,
        call: me(anonymous.as(token).withHeaders({ Host: DOMAIN })),
      },
    ];
    const rows: Record<string, string | number>[] = [];
    for (const path of paths) {
      await measure(path.call, Math.ceil(path.calls / 10), 1); // warm-up
      const run: Measurement = await measure(path.call, path.calls, 1);
      rows.push({
        path: path.name,
        calls: path.calls,
        'p50 ms': run.p50Ms,
        'p99 ms': run.p99Ms,
        'req/s': Math.round(run.perSecond),
      });
    }
    printTable(
      `Logins and their throttle, one client; Node ${process.version}, ${cpus().length} cores ` +
        'shared by the load generator, gateway, tenants service, Postgres and Redis',
      rows,
    );
  } finally {
    redis.disconnect();
    await stack.stop();
    await environment.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
