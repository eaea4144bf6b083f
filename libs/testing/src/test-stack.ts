import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';

import type { Redis } from 'ioredis';

import { PING_PATTERN, SERVICE_NAMES, type ServiceName } from '@tenantbot/contracts';
import { RedisStreamsClient, StreamKeys } from '@tenantbot/transport';

import { StackDatabase } from './stack-database';

export interface TestStackOptions {
  services?: readonly ServiceName[];
  gateway?: boolean;
  /** Extra environment for every process (e.g. ALLOW_SELF_REGISTRATION). */
  env?: Record<string, string>;
  /** Keep the apps' stdout (JSON log lines) in `logs`. */
  captureLogs?: boolean;
  /** How long the apps may take to answer after starting (a busy machine starts them slowly). */
  readyTimeoutMs?: number;
}

type AppName = ServiceName | 'gateway';

/** How long apps may take to answer after they are started: seconds, more on a busy machine. */
const READY_TIMEOUT_MS = 80_000;

/** Children still running when the test process exits (a failed hook) are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/**
 * The real apps, built in dist/ by the test run's global setup, started as processes on a
 * database, a Redis prefix and a free port of their own, like a deployment. In a test run the
 * database is a copy of the run's migrated one (`StackDatabase`); read it as `env.DATABASE_URL`.
 */
export class TestStack {
  private readonly processes = new Map<string, ChildProcess>();
  /** Log lines of the apps, when started with captureLogs. */
  readonly logs: string[] = [];
  private captureLogs = false;

  private constructor(
    readonly baseUrl: string,
    readonly env: Record<string, string>,
    private readonly database: StackDatabase | undefined,
  ) {}

  static async start(options: TestStackOptions = {}): Promise<TestStack> {
    const port = await freePort();
    const database = options.env?.DATABASE_URL ? undefined : await StackDatabase.fromRunTemplate();
    const env = {
      ...(process.env as Record<string, string>),
      ...(database ? { DATABASE_URL: database.url } : {}),
      REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'tbtest'}:stack-${randomUUID().slice(0, 8)}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      // /metrics is off without a token; every stack has one, which metricsText() sends.
      METRICS_TOKEN: `test-metrics-${randomUUID()}`,
      ...options.env,
    };
    const stack = new TestStack(`http://127.0.0.1:${port}`, env, database);
    stack.captureLogs = options.captureLogs ?? false;
    const services = options.services ?? SERVICE_NAMES;
    for (const service of services) {
      stack.spawn(service);
    }
    if (options.gateway !== false) {
      stack.spawn('gateway');
    }
    try {
      await stack.waitUntilReady(services, options.gateway !== false, options.readyTimeoutMs);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /**
   * Another gateway on the same services, with its own settings (e.g. limits off), for
   * comparisons in one run. Returns its base URL; stop() stops it too.
   */
  async addGateway(name: string, env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    this.spawn(name as AppName, { ...env, PORT: String(port) }, 'gateway');
    await retryUntil(Date.now() + READY_TIMEOUT_MS, async () => {
      const response = await fetch(`${baseUrl}/healthz`);
      if (!response.ok) {
        throw new Error(`gateway answered ${response.status}`);
      }
    });
    return baseUrl;
  }

  /**
   * Another replica of a service, on the same database and Redis prefix (its consumer group
   * shares the requests with the first); resolves once both heart-beat. stop() stops it too.
   */
  async addReplica(service: ServiceName, name: string): Promise<void> {
    this.spawn(name as AppName, {}, service);
    const client = this.transportClient();
    try {
      await retryUntil(Date.now() + READY_TIMEOUT_MS, async () => {
        await client.request(PING_PATTERN[service], {}, { timeoutMs: 1000 }); // connects it
        const replicas = await client
          .unwrap<Redis>()
          .zcard(new StreamKeys(this.env.REDIS_PREFIX).replicas(service));
        if (replicas < 2) {
          throw new Error(`${replicas} replica(s) of ${service} heart-beat`);
        }
      });
    } finally {
      await client.close();
    }
  }

  /** A transport client on this stack's prefix, for tests that call services directly. */
  transportClient({ timeoutMs = 5000 }: { timeoutMs?: number } = {}): RedisStreamsClient {
    return new RedisStreamsClient({
      name: 'test',
      redisUrl: this.env.REDIS_URL,
      prefix: this.env.REDIS_PREFIX,
      timeoutMs,
    });
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, init);
  }

  /** The Prometheus text of the gateway, fetched with the stack's METRICS_TOKEN. */
  async metricsText(): Promise<string> {
    const response = await this.request('/metrics', {
      headers: { authorization: `Bearer ${this.env.METRICS_TOKEN}` },
    });
    if (!response.ok) {
      throw new Error(`/metrics answered ${response.status}`);
    }
    return response.text();
  }

  /** The process id of a running app (benchmarks read its CPU time). */
  pid(app: string): number | undefined {
    return this.processes.get(app)?.pid;
  }

  kill(app: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.processes.get(app);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve();
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    return exited;
  }

  /** Starts a killed or stopped app again, on the same environment, and waits until it answers. */
  async restart(app: AppName): Promise<void> {
    await this.kill(app, 'SIGTERM');
    this.spawn(app);
    await this.waitUntilReady(app === 'gateway' ? [] : [app], app === 'gateway');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((app) => this.kill(app, 'SIGTERM')));
    await this.database?.drop();
  }

  private spawn(name: AppName, extraEnv: Record<string, string> = {}, app: AppName = name): void {
    const entry = join(
      this.env.TEST_WORKSPACE_ROOT ?? process.cwd(),
      `dist/apps/${app}/src/main.js`,
    );
    // e.g. TEST_STACK_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/profiles" to profile the apps.
    const flags = (this.env.TEST_STACK_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, ['--enable-source-maps', ...flags, entry], {
      env: { ...this.env, ...extraEnv },
      stdio: [
        'ignore',
        this.captureLogs ? 'pipe' : process.env.TEST_STACK_LOGS ? 'inherit' : 'ignore',
        'inherit',
      ],
    });
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      this.logs.push(...lines.filter(Boolean));
    });
    this.processes.set(name, child);
    running.add(child);
    // Never let a leftover child keep the test process alive; the exit hook kills it.
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    child.once('exit', () => running.delete(child));
  }

  private async waitUntilReady(
    services: readonly ServiceName[],
    gateway: boolean,
    timeoutMs = READY_TIMEOUT_MS,
  ): Promise<void> {
    const until = Date.now() + timeoutMs;
    const client = this.transportClient();
    try {
      for (const service of services) {
        await retryUntil(until, () =>
          client.request(PING_PATTERN[service], {}, { timeoutMs: 1000 }),
        );
      }
      if (gateway) {
        await retryUntil(until, async () => {
          const response = await fetch(`${this.baseUrl}/healthz`);
          if (!response.ok) {
            throw new Error(`gateway answered ${response.status}`);
          }
        });
      }
    } finally {
      await client.close();
    }
  }
}

async function retryUntil<T>(until: number, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > until) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
