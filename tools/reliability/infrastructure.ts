import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { freePort } from '@tenantbot/testing';

export const workspaceRoot = join(__dirname, '..', '..', '..');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  limitMs = 30_000,
): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) {
      return;
    }
    await sleep(100);
  }
  throw new Error(`${what} did not happen within ${limitMs / 1000} s`);
}

/** A migrated database of the run's own, dropped at the end. */
export class RunDatabase {
  private constructor(
    readonly url: string,
    private readonly adminUrl: string,
    private readonly name: string,
  ) {}

  static async create(label: string): Promise<RunDatabase> {
    const adminUrl =
      process.env.RELIABILITY_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `tenantbot_${label}_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const migration = spawnSync(
      process.execPath,
      [join(workspaceRoot, 'dist/libs/database/src/migrate.js')],
      {
        env: { ...process.env, DATABASE_URL: url.toString() },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (migration.status !== 0) {
      throw new Error('migrations failed');
    }
    return new RunDatabase(url.toString(), adminUrl, name);
  }

  /** The same database reached through another port (a proxy in front of Postgres). */
  urlThroughPort(port: number): string {
    const url = new URL(this.url);
    url.port = String(port);
    return url.toString();
  }

  async drop(): Promise<void> {
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * A TCP proxy between the services and PostgreSQL that the test can cut: `cut()` closes every
 * open connection and refuses new ones (as an unreachable database does), `restore()` listens again.
 */
export class PostgresProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetUrl: string): Promise<PostgresProxy> {
    const target = new URL(targetUrl);
    const proxy = new PostgresProxy(await freePort(), {
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    await proxy.restore();
    return proxy;
  }

  restore(): Promise<void> {
    const server = createServer((client) => this.relay(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target);
    this.sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  }
}

/** A child process the test owns, started again on the same arguments after a fault. */
abstract class OwnedServer {
  protected child?: ChildProcess;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  abstract start(): Promise<void>;
}

/** A private redis-server on a free port, with an append-only file so a restart keeps its data. */
export class PrivateRedis extends OwnedServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    super();
  }

  static async create(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'tenantbot-faults-redis-')),
    );
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await waitUntil('redis-server', () => tcpOpen(this.port), 10_000);
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private `chroma run` on a free port and a data directory kept across restarts. */
export class PrivateChroma extends OwnedServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    super();
  }

  static async create(): Promise<PrivateChroma> {
    const chroma = new PrivateChroma(
      await freePort(),
      mkdtempSync(join(tmpdir(), 'tenantbot-faults-chroma-')),
    );
    await chroma.start();
    return chroma;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      join(workspaceRoot, 'node_modules/.bin/chroma'),
      ['run', '--path', this.dir, '--host', '127.0.0.1', '--port', String(this.port)],
      { stdio: 'ignore' },
    );
    await waitUntil(
      'Chroma',
      () => fetch(`${this.url}/api/v2/heartbeat`).then((response) => response.ok),
      30_000,
    );
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
