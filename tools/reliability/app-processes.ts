import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { PING_PATTERN, type ServiceName } from '@tenantbot/contracts';
import { freePort } from '@tenantbot/testing';
import { RedisStreamsClient } from '@tenantbot/transport';

import { waitUntil, workspaceRoot } from './infrastructure';

export type AppKind = ServiceName | 'gateway';

interface Instance {
  kind: AppKind;
  env: Record<string, string>;
  child?: ChildProcess;
  /** When the last start began listening (gateways: its base URL). */
  baseUrl?: string;
}

/** Children still running when this process exits are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/**
 * The apps of one run as named processes (`gateway-1`, `rag-2`…) started from dist/, each one
 * killable with any signal and startable again on the same environment.
 */
export class AppProcesses {
  private readonly instances = new Map<string, Instance>();
  /** Lines the apps wrote to stderr (crashes), for the report of a failing scenario. */
  readonly errors: string[] = [];

  constructor(private readonly env: Record<string, string>) {}

  async add(name: string, kind: AppKind, env: Record<string, string> = {}): Promise<void> {
    const instance: Instance = { kind, env: { ...this.env, ...env } };
    if (kind === 'gateway') {
      instance.env.PORT = String(await freePort());
      instance.env.HOST = '127.0.0.1';
      instance.baseUrl = `http://127.0.0.1:${instance.env.PORT}`;
    }
    this.instances.set(name, instance);
    await this.start(name);
  }

  baseUrl(name: string): string {
    const url = this.instances.get(name)?.baseUrl;
    if (!url) {
      throw new Error(`${name} is not a gateway`);
    }
    return url;
  }

  names(): string[] {
    return [...this.instances.keys()];
  }

  pid(name: string): number | undefined {
    return this.instances.get(name)?.child?.pid;
  }

  isRunning(name: string): boolean {
    const child = this.instances.get(name)?.child;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** Sends a signal and resolves when the process has exited, with how long that took. */
  async signal(name: string, signal: NodeJS.Signals): Promise<number> {
    const child = this.instances.get(name)?.child;
    const started = Date.now();
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return 0;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    return Date.now() - started;
  }

  /** SIGSTOP: the process is frozen (no heartbeats, no reads) until resume(). */
  pause(name: string): void {
    this.instances.get(name)?.child?.kill('SIGSTOP');
  }

  resume(name: string): void {
    this.instances.get(name)?.child?.kill('SIGCONT');
  }

  async start(name: string): Promise<void> {
    const instance = this.instances.get(name);
    if (!instance) {
      throw new Error(`unknown app ${name}`);
    }
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', join(workspaceRoot, `dist/apps/${instance.kind}/src/main.js`)],
      { env: instance.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (chunk: Buffer) =>
      this.errors.push(`${name}: ${chunk.toString('utf8').trim()}`),
    );
    running.add(child);
    child.once('exit', () => running.delete(child));
    instance.child = child;
    await this.waitUntilReady(name, instance);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.names().map(async (name) => {
        const killer = setTimeout(() => this.instances.get(name)?.child?.kill('SIGKILL'), 10_000);
        await this.signal(name, 'SIGTERM');
        clearTimeout(killer);
      }),
    );
  }

  private async waitUntilReady(name: string, instance: Instance): Promise<void> {
    if (instance.kind === 'gateway') {
      await waitUntil(`${name} answering /healthz`, async () => {
        const response = await fetch(`${instance.baseUrl}/healthz`);
        return response.ok;
      });
      return;
    }
    const client = new RedisStreamsClient({
      name: 'readiness',
      redisUrl: this.env.REDIS_URL,
      prefix: this.env.REDIS_PREFIX,
    });
    const service = instance.kind;
    try {
      await waitUntil(`${name} answering its ping`, async () => {
        await client.request(PING_PATTERN[service], {}, { timeoutMs: 1000 });
        return true;
      });
    } finally {
      await client.close();
    }
  }
}
