import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';

import {
  PING_PATTERN,
  RAG_DEPENDENCIES,
  SERVICE_NAMES,
  type ServiceName,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { HealthRepository } from './health.repository';

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

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, ProbeResult>;
}

/** Every dependency the platform needs, checked in parallel: Postgres, Redis, Chroma, services. */
@Injectable()
export class HealthService {
  constructor(
    private readonly database: HealthRepository,
    private readonly transport: RedisStreamsClient,
    private readonly redis: Redis,
  ) {}

  async check(): Promise<HealthReport> {
    const checks: [string, () => Promise<unknown>][] = [
      ['postgres', () => this.database.ping()],
      ['redis', () => this.redis.ping()],
      ['chroma', () => chromaThroughRag(this.transport)],
      ...SERVICE_NAMES.map((service): [string, () => Promise<unknown>] => [
        service,
        () => pingService(this.transport, service),
      ]),
    ];
    const results = await Promise.all(checks.map(([, check]) => probe(check)));
    const report = Object.fromEntries(checks.map(([name], index) => [name, results[index]]));
    const healthy = results.every((result) => result.status === 'up');
    return { status: healthy ? 'ok' : 'degraded', checks: report };
  }
}

/** Only the rag service may reach Chroma (in AWS too): ask it. Chroma counts as down when rag is. */
async function chromaThroughRag(transport: RedisStreamsClient): Promise<void> {
  const { chroma } = await transport.request(
    RAG_DEPENDENCIES,
    {},
    {
      timeoutMs: PROBE_TIMEOUT_MS - 100,
    },
  );
  if (chroma.status !== 'up') {
    throw new Error(chroma.error ?? 'Chroma is down');
  }
}

function pingService(transport: RedisStreamsClient, service: ServiceName) {
  return transport.request(PING_PATTERN[service], {}, { timeoutMs: PROBE_TIMEOUT_MS - 100 });
}
