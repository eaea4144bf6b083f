import { PING_PATTERN, SERVICE_NAMES, type ServiceName } from '@tenantbot/contracts';
import type { RedisStreamsClient } from '@tenantbot/transport';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';

export interface ProbeResult {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

const PROBE_TIMEOUT_MS = 2000;

/** Times one check; a failure or a check slower than the limit counts as down. */
export async function probe(check: () => Promise<unknown>): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)),
          PROBE_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    return { status: 'up', latency_ms: elapsedSince(started) };
  } catch (error) {
    return { status: 'down', latency_ms: elapsedSince(started), error: (error as Error).message };
  }
}

function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

export interface Dependencies {
  postgres: Pool;
  redis: Redis;
  chromaUrl: string;
  transport: RedisStreamsClient;
}

/** Every dependency the platform needs, checked in parallel. */
export async function probeAll(dependencies: Dependencies): Promise<Record<string, ProbeResult>> {
  const checks: [string, () => Promise<unknown>][] = [
    ['postgres', () => dependencies.postgres.query('SELECT 1')],
    ['redis', () => dependencies.redis.ping()],
    ['chroma', () => chromaHeartbeat(dependencies.chromaUrl)],
    ...SERVICE_NAMES.map((service): [string, () => Promise<unknown>] => [
      service,
      () => pingService(dependencies.transport, service),
    ]),
  ];
  const results = await Promise.all(checks.map(([, check]) => probe(check)));
  return Object.fromEntries(checks.map(([name], index) => [name, results[index]]));
}

async function chromaHeartbeat(chromaUrl: string): Promise<void> {
  const response = await fetch(new URL('/api/v2/heartbeat', chromaUrl), {
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`Chroma answered ${response.status}`);
}

function pingService(transport: RedisStreamsClient, service: ServiceName) {
  return transport.request(PING_PATTERN[service], {}, { timeoutMs: PROBE_TIMEOUT_MS - 100 });
}
