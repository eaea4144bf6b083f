import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';

import type { TenantId } from '@tenantbot/contracts';

import type { RagConfig } from '../config/rag-config';
import { INGESTION_REDIS, RAG_CONFIG } from '../config/tokens';
import { PARK_MS } from './ingestion-job';

export interface TenantFairnessOptions {
  /** Redis key prefix (the deployment's REDIS_PREFIX). */
  prefix: string;
  /** Jobs of one tenant allowed to run (or be queued to run) at once. */
  perTenant: number;
  /** A running job's slot lapses this long after its worker last renewed it (a crashed worker). */
  runningLeaseMs: number;
  /** An admitted job that has not started yet keeps its slot this long. */
  admittedLeaseMs: number;
}

// KEYS: running (sorted set: job id → lease deadline), waiting (list of parked job ids).
const PURGE = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])`;

/** ARGV: now, job id, limit, lease deadline → 1 admitted, 0 parked. */
const ADMIT = `${PURGE}
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 1 end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) and redis.call('LLEN', KEYS[2]) == 0 then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
  return 1
end
if not redis.call('LPOS', KEYS[2], ARGV[2]) then redis.call('RPUSH', KEYS[2], ARGV[2]) end
return 0`;

/** ARGV: now, job id, limit, lease deadline → 1 may run, 0 parked (kept in the waiting list). */
const ACQUIRE = `${PURGE}
if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
  redis.call('LREM', KEYS[2], 0, ARGV[2])
  return 1
end
if not redis.call('LPOS', KEYS[2], ARGV[2]) then redis.call('RPUSH', KEYS[2], ARGV[2]) end
return 0`;

/** ARGV: now, job id, limit, admitted lease deadline → the parked job ids now admitted. */
const RELEASE = `redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('LREM', KEYS[2], 0, ARGV[2])
${PURGE}
local admitted = {}
while redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) do
  local id = redis.call('LPOP', KEYS[2])
  if not id then break end
  redis.call('ZADD', KEYS[1], ARGV[4], id)
  admitted[#admitted + 1] = id
end
return admitted`;

/**
 * Per-tenant admission to the shared ingestion queue (docs/adr/0003-ingestion-fairness.md).
 * A tenant has at most `perTenant` jobs admitted; its other jobs wait *parked* (delayed in
 * BullMQ, listed here in order) and are promoted one by one as its admitted jobs finish. The
 * shared queue therefore holds a few jobs per tenant, and its FIFO order interleaves tenants.
 * Slots are leases, so a worker that dies cannot hold one for ever.
 */
@Injectable()
export class TenantFairness {
  private readonly options: TenantFairnessOptions;

  constructor(
    @Inject(INGESTION_REDIS) private readonly redis: Redis,
    @Inject(RAG_CONFIG) config: RagConfig,
  ) {
    this.options = {
      prefix: config.REDIS_PREFIX,
      perTenant: config.INGESTION_TENANT_CONCURRENCY,
      runningLeaseMs: 2 * config.INGESTION_LOCK_MS,
      admittedLeaseMs: 10 * PARK_MS,
    };
  }

  /** At enqueue time: true when the job may go straight to the queue, false when it is parked. */
  async admit(tenantId: TenantId, jobId: string): Promise<boolean> {
    return (await this.run(ADMIT, tenantId, jobId, this.options.admittedLeaseMs)) === 1;
  }

  /** When a worker picks the job up: true when it may run now. */
  async acquire(tenantId: TenantId, jobId: string): Promise<boolean> {
    return (await this.run(ACQUIRE, tenantId, jobId, this.options.runningLeaseMs)) === 1;
  }

  /** Extends a running job's lease. */
  async renew(tenantId: TenantId, jobId: string): Promise<void> {
    await this.redis.zadd(
      this.runningKey(tenantId),
      'XX',
      Date.now() + this.options.runningLeaseMs,
      jobId,
    );
  }

  /** The job is done (or cancelled): frees its slot and returns the parked jobs to promote. */
  async release(tenantId: TenantId, jobId: string): Promise<string[]> {
    const admitted = await this.run(RELEASE, tenantId, jobId, this.options.admittedLeaseMs);
    return Array.isArray(admitted) ? admitted.map(String) : [];
  }

  /** Forgets everything about a tenant (the tenant was deleted). */
  async forgetTenant(tenantId: TenantId): Promise<void> {
    await this.redis.del(this.runningKey(tenantId), this.waitingKey(tenantId));
  }

  private run(script: string, tenantId: string, jobId: string, leaseMs: number) {
    const now = Date.now();
    return this.redis.eval(
      script,
      2,
      this.runningKey(tenantId),
      this.waitingKey(tenantId),
      now,
      jobId,
      this.options.perTenant,
      now + leaseMs,
    );
  }

  private runningKey(tenantId: string): string {
    return `${this.options.prefix}:ingest:tenant:${tenantId}:running`;
  }

  private waitingKey(tenantId: string): string {
    return `${this.options.prefix}:ingest:tenant:${tenantId}:waiting`;
  }
}
