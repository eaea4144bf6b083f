// Runs once before all tests: builds dist/ (e2e tests start the real apps from it), creates
// this run's database and Redis prefix, and starts a real Chroma server. Unit tests
// (TEST_TIER=unit) get the build only: nothing real is behind them.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { testRunNames } from './test-environment.mjs';

const root = join(import.meta.dirname, '..', '..');

export default async function globalSetup() {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], {
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    throw new Error('build failed');
  }
  if (process.env.TEST_TIER === 'unit') {
    Object.assign(process.env, {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      TEST_WORKSPACE_ROOT: root,
    });
    return;
  }

  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const names = testRunNames(runId);
  const adminUrl =
    process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${names.database}"`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${names.database}`;

  const migration = spawnSync(process.execPath, [join(root, 'dist/libs/database/src/migrate.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl.toString() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (migration.status !== 0) {
    throw new Error('migrations failed');
  }
  // Each TestStack copies this untouched template (nobody connects to it), so stacks of suites
  // running side by side never share a database (libs/testing/src/stack-database.ts).
  const stackTemplate = `${names.database}_stack`;
  const templateAdmin = new pg.Client({ connectionString: adminUrl });
  await templateAdmin.connect();
  await templateAdmin.query(`CREATE DATABASE "${stackTemplate}" TEMPLATE "${names.database}"`);
  await templateAdmin.end();

  const chroma = await startChroma();
  globalThis.__TEST_RUN__ = {
    runId,
    names,
    adminUrl,
    chroma: chroma.process,
    chromaDir: chroma.dataDir,
  };

  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    TEST_RUN_ID: runId,
    TEST_WORKSPACE_ROOT: root,
    DATABASE_URL: databaseUrl.toString(),
    TEST_STACK_TEMPLATE_DATABASE: stackTemplate,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: names.redisPrefix,
    CHROMA_URL: chroma.url,
    // Every service checks its replies against the message map's schemas (libs/contracts).
    TRANSPORT_CHECK_REPLIES: 'true',
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startChroma() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tenantbot-chroma-'));
  const child = spawn(
    join(root, 'node_modules/.bin/chroma'),
    ['run', '--path', dataDir, '--host', '127.0.0.1', '--port', String(port)],
    {
      stdio: 'ignore',
      detached: false,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      const response = await fetch(`${url}/api/v2/heartbeat`);
      if (response.ok) {
        return { process: child, url, dataDir };
      }
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`Chroma did not start on ${url} within 30 s`);
}
