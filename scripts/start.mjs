#!/usr/bin/env node
// npm start: builds the workspace, migrates the database, starts Chroma (unless CHROMA_URL
// points at one) and the five apps, prints the URLs, and stops everything on Ctrl-C.
// Expects PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (or DATABASE_URL/REDIS_URL).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['tenants', 'rag', 'chat', 'admin'];
const port = Number(process.env.PORT ?? 3000);
const children = new Map();
let stopping = false;

function say(message) {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${message}\n`);
}

function fail(message) {
  process.stderr.write(`\x1b[31m[start]\x1b[0m ${message}\n`);
  void stopAll(1);
}

function reachable(url, defaultPort) {
  const { hostname, port: given } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(given || defaultPort) });
    socket.setTimeout(2000);
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(socket.destroy() && false));
  });
}

function run(name, args, extraEnv = {}) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[36m${name.padEnd(8)}\x1b[0m| `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        process.stdout.write(prefix + line + '\n');
      }
    });
  }
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      fail(`${name} stopped unexpectedly (${signal ?? `exit code ${code}`})`);
    }
  });
  children.set(name, child);
  return child;
}

async function waitFor(check, what, limitMs = 60_000) {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (stopping) {
      return;
    }
    if (await check().catch(() => false)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail(`${what} did not come up within ${limitMs / 1000} s`);
}

async function stopAll(code = 0) {
  if (stopping) {
    return;
  }
  stopping = true;
  say('stopping…');
  const exits = [...children.values()].map(
    (child) => new Promise((resolve) => child.once('exit', resolve)),
  );
  for (const child of children.values()) {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(
    () => [...children.values()].forEach((child) => child.kill('SIGKILL')),
    10_000,
  );
  await Promise.all(exits);
  clearTimeout(timer);
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await reachable(databaseUrl, 5432))) {
    return fail(
      `PostgreSQL is not reachable at ${new URL(databaseUrl).host}. Start it (see README) or set DATABASE_URL.`,
    );
  }
  if (!(await reachable(redisUrl, 6379))) {
    return fail(
      `Redis is not reachable at ${new URL(redisUrl).host}. Start it (see README) or set REDIS_URL.`,
    );
  }

  say('building…');
  if (
    spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0
  ) {
    return fail('build failed');
  }
  say('migrating the database…');
  const migration = spawnSync(process.execPath, ['dist/libs/database/src/migrate.js'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (migration.status !== 0) {
    return fail('migrations failed');
  }

  let chromaUrl = process.env.CHROMA_URL;
  if (!chromaUrl) {
    chromaUrl = 'http://127.0.0.1:8000';
    const alreadyRunning = await fetch(`${chromaUrl}/api/v2/heartbeat`)
      .then((r) => r.ok)
      .catch(() => false);
    if (alreadyRunning) {
      say(`using the Chroma already running at ${chromaUrl}`);
    } else {
      const dataDir = join(root, '.data', 'chroma');
      mkdirSync(dataDir, { recursive: true });
      say(`starting Chroma (data in .data/chroma)…`);
      run('chroma', [
        join(root, 'node_modules/chromadb/dist/cli.mjs'),
        'run',
        '--path',
        dataDir,
        '--host',
        '127.0.0.1',
        '--port',
        '8000',
      ]);
      await waitFor(() => fetch(`${chromaUrl}/api/v2/heartbeat`).then((r) => r.ok), 'Chroma');
    }
  }

  const env = { CHROMA_URL: chromaUrl };
  for (const service of SERVICES) {
    run(service, ['--enable-source-maps', `dist/apps/${service}/src/main.js`], env);
  }
  run('gateway', ['--enable-source-maps', 'dist/apps/gateway/src/main.js'], env);
  const base = `http://localhost:${port}`;
  await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), 'the platform (GET /health)');
  if (stopping) {
    return;
  }

  say(`ready.
    Console    ${base}/console   (sign in with no company as the super admin)
    API        ${base}/api/v1
    API docs   ${base}/docs   (OpenAPI: ${base}/docs-json)
    Health     ${base}/health
    Metrics    ${base}/metrics
    Super admin: ${process.env.SUPER_ADMIN_USERNAME ?? 'admin'} / ${process.env.SUPER_ADMIN_PASSWORD ? '(SUPER_ADMIN_PASSWORD)' : 'admin'}  (local default; change it)
  Press Ctrl-C to stop everything.`);
}

void main();
