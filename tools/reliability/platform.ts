import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiClient, loginSuperAdmin } from '@tenantbot/testing';

import { AppProcesses } from './app-processes';
import { PostgresProxy, PrivateChroma, PrivateRedis, RunDatabase, sleep } from './infrastructure';
import { handbook, type TrafficTenant } from './traffic';

/**
 * The whole platform on infrastructure of the run's own: a database behind a proxy the test
 * can cut, a private Redis and Chroma it can restart, and the five apps as processes.
 */
export class Platform {
  private constructor(
    readonly database: RunDatabase,
    readonly postgresProxy: PostgresProxy,
    readonly redis: PrivateRedis,
    readonly chroma: PrivateChroma,
    readonly apps: AppProcesses,
    private readonly filesDir: string,
  ) {}

  static async start(label: string, extraEnv: Record<string, string> = {}): Promise<Platform> {
    const database = await RunDatabase.create(label);
    const [postgresProxy, redis, chroma] = await Promise.all([
      PostgresProxy.start(database.url),
      PrivateRedis.create(),
      PrivateChroma.create(),
    ]);
    const filesDir = mkdtempSync(join(tmpdir(), 'tenantbot-faults-files-'));
    const env = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.urlThroughPort(postgresProxy.port),
      REDIS_URL: redis.url,
      REDIS_PREFIX: label,
      CHROMA_URL: chroma.url,
      FILES_DIR: filesDir,
      RATE_LIMITS_ENABLED: 'false',
      LOGIN_ATTEMPTS_PER_IP: '1000000',
      ...extraEnv,
    };
    const apps = new AppProcesses(env);
    const platform = new Platform(database, postgresProxy, redis, chroma, apps, filesDir);
    await Promise.all(['tenants', 'rag', 'chat', 'admin'].map((s) => apps.add(s, s as never)));
    return platform;
  }

  async addGateways(count: number): Promise<{ name: string; url: string }[]> {
    const names = Array.from({ length: count }, (_, i) => `gateway-${i + 1}`);
    await Promise.all(names.map((name) => this.apps.add(name, 'gateway')));
    return names.map((name) => ({ name, url: this.apps.baseUrl(name) }));
  }

  async stop(): Promise<void> {
    await this.apps.stopAll();
    await Promise.all([this.redis.remove(), this.chroma.remove(), this.postgresProxy.cut()]);
    await this.database.drop();
    rmSync(this.filesDir, { recursive: true, force: true });
  }
}

/** Tenants with one admin each, logged in, and a few completed documents to search. */
export async function createTrafficTenants(
  gatewayUrl: string,
  count: number,
  documents: number,
): Promise<TrafficTenant[]> {
  const superAdmin = await loginSuperAdmin(new ApiClient(gatewayUrl));
  const tenants: TrafficTenant[] = [];
  const run = randomUUID().slice(0, 6);
  for (let i = 0; i < count; i++) {
    const slug = `reliability-${run}-${i}`;
    const created = await superAdmin.post('/api/v1/tenants/', {
      name: `Reliability ${i}`,
      slug,
      plan: 'enterprise',
    });
    if (created.status !== 201) {
      throw new Error(`tenant: ${JSON.stringify(created.body)}`);
    }
    const inTenant = superAdmin.as(superAdmin.token, slug);
    const username = `admin-${i}`;
    const password = `pw-${slug}-${i}-long-enough`;
    const user = await inTenant.post('/api/v1/admin/users', {
      username,
      email: `${username}@${slug}.test`,
      password,
      role: 'tenant_admin',
    });
    if (user.status !== 201) {
      throw new Error(`user: ${JSON.stringify(user.body)}`);
    }
    const login = await new ApiClient(gatewayUrl, undefined, slug).post('/api/v1/auth/login', {
      username,
      password,
    });
    if (login.status !== 200) {
      throw new Error(`login: ${JSON.stringify(login.body)}`);
    }
    const token = String(login.body.access_token);
    const admin = superAdmin.as(token, slug);
    for (let d = 0; d < documents; d++) {
      await admin.post('/api/v1/rag/documents', {
        title: `seed-${slug}-${d}`,
        text: handbook(`seed-${slug}-${d}`, 12),
      });
    }
    tenants.push({ id: String(created.body.id), slug, username, password, token });
  }
  await waitForSeeds(gatewayUrl, tenants);
  return tenants;
}

async function waitForSeeds(gatewayUrl: string, tenants: TrafficTenant[]): Promise<void> {
  for (const tenant of tenants) {
    const client = new ApiClient(gatewayUrl, tenant.token, tenant.slug);
    for (let attempt = 0; ; attempt++) {
      const listing = await client.get('/api/v1/rag/documents?limit=100');
      const items = (listing.body.items ?? listing.body.documents ?? []) as { status: string }[];
      if (items.length > 0 && items.every((item) => item.status === 'completed')) {
        break;
      }
      if (attempt > 300) {
        throw new Error(`seed documents of ${tenant.slug} never completed`);
      }
      await sleep(200);
    }
  }
}
