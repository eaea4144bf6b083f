import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { deleteRedisKeys, freePort } from '@tenantbot/testing';

const root = join(__dirname, '..', '..');

export interface BenchEnvironment {
  env: Record<string, string>;
  /** The Chroma server this run started, if it started one. */
  chromaPid?: number;
  teardown(): Promise<void>;
}

/**
 * What a benchmark of the whole platform needs, made for the run and removed after it: a
 * migrated database of its own, a Redis prefix and (unless CHROMA_URL is set) a Chroma server.
 * Sets the variables TestStack reads.
 */
export async function createBenchEnvironment(name: string): Promise<BenchEnvironment> {
  const runId = `${name}_${randomUUID().slice(0, 8)}`;
  const adminUrl =
    process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `tenantbot_bench_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${database}`;
  const migrate = spawnSync(process.execPath, [join(root, 'dist/libs/database/src/migrate.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl.toString() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (migrate.status !== 0) {
    throw new Error('migrations failed');
  }
  const chroma = process.env.CHROMA_URL ? undefined : await startChroma();

  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TEST_WORKSPACE_ROOT: root,
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `tbbench:${runId}`,
    CHROMA_URL: process.env.CHROMA_URL ?? chroma?.url ?? '',
  };
  Object.assign(process.env, env);

  return {
    env,
    chromaPid: chroma?.process.pid,
    async teardown() {
      chroma?.process.kill('SIGTERM');
      if (chroma) {
        rmSync(chroma.dataDir, { recursive: true, force: true });
      }
      await deleteRedisKeys(env.REDIS_URL, env.REDIS_PREFIX);
      if (process.env.BENCH_KEEP_DATABASE === '1') {
        console.error(`database kept: ${database}`);
        return;
      }
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await client.end();
    },
  };
}

async function startChroma(): Promise<{ process: ChildProcess; url: string; dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbot-bench-chroma-'));
  const child = spawn(
    join(root, 'node_modules/.bin/chroma'),
    ['run', '--path', dataDir, '--host', '127.0.0.1', '--port', String(port)],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 150; attempt++) {
    if (
      await fetch(`${url}/api/v2/heartbeat`)
        .then((r) => r.ok)
        .catch(() => false)
    ) {
      return { process: child, url, dataDir };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error('Chroma did not start');
}
