import {
  PING_PATTERN,
  RAG_DEPENDENCIES,
  SERVICE_NAMES,
  type DependencyStatus,
  type ServiceName,
} from '@tenantbot/contracts';
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
  transport: RedisStreamsClient;
}

/** Every dependency the platform needs, checked in parallel. */
export async function probeAll(dependencies: Dependencies): Promise<Record<string, ProbeResult>> {
  const checks: [string, () => Promise<unknown>][] = [
    ['postgres', () => dependencies.postgres.query('SELECT 1')],
    ['redis', () => dependencies.redis.ping()],
    ['chroma', () => chromaThroughRag(dependencies.transport)],
    ...SERVICE_NAMES.map((service): [string, () => Promise<unknown>] => [
      service,
      () => pingService(dependencies.transport, service),
    ]),
  ];
  const results = await Promise.all(checks.map(([, check]) => probe(check)));
  return Object.fromEntries(checks.map(([name], index) => [name, results[index]]));
}

/** Only the rag service may reach Chroma (in AWS too): ask it. Chroma counts as down when rag is. */
async function chromaThroughRag(transport: RedisStreamsClient): Promise<void> {
  const { chroma } = await transport.request<{ chroma: DependencyStatus }>(
    RAG_DEPENDENCIES,
    {},
    {
      timeoutMs: PROBE_TIMEOUT_MS - 100,
    },
  );
  if (chroma.status !== 'up') throw new Error(chroma.error ?? 'Chroma is down');
}

function pingService(transport: RedisStreamsClient, service: ServiceName) {
  return transport.request(PING_PATTERN[service], {}, { timeoutMs: PROBE_TIMEOUT_MS - 100 });
}
