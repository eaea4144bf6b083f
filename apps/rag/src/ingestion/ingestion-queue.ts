import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import type { TenantId } from '@tenantbot/contracts';

import type { RagConfig } from '../config/rag-config';
import { INGESTION_REDIS, RAG_CONFIG } from '../config/tokens';
import {
  bullPrefix,
  INGESTION_QUEUE,
  type IngestionJobData,
  ingestionJobId,
  PARK_MS,
} from './ingestion-job';
import { TenantFairness } from './tenant-fairness';

/** Enqueues, cancels and promotes ingestion jobs through the tenant's admission. */
@Injectable()
export class IngestionQueue {
  readonly queue: Queue<IngestionJobData>;

  constructor(
    @Inject(INGESTION_REDIS) redis: Redis,
    private readonly fairness: TenantFairness,
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
  ) {
    this.queue = new Queue<IngestionJobData>(INGESTION_QUEUE, {
      connection: redis,
      prefix: bullPrefix(config.REDIS_PREFIX),
    });
  }

  async enqueue(data: IngestionJobData): Promise<void> {
    const jobId = ingestionJobId(data.documentId, data.version);
    const admitted = await this.fairness.admit(data.tenantId, jobId);
    await this.queue.add('ingest', data, {
      jobId,
      // A parked job sleeps unless promoted first: the safety net if a promotion is lost.
      delay: admitted ? 0 : PARK_MS,
      attempts: this.config.INGESTION_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.INGESTION_BACKOFF_MS },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600, count: 1000 },
    });
  }

  /**
   * Removes a version's job and frees its slot, unless it is running: a running job notices
   * at its end that its version is gone, and frees its slot itself.
   */
  async cancel(tenantId: TenantId, documentId: string, version: number): Promise<void> {
    const jobId = ingestionJobId(documentId, version);
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isActive())) {
      return;
    }
    await job?.remove().catch(() => undefined);
    await this.finished(tenantId, jobId);
  }

  /** Frees the job's slot and promotes the tenant's next parked jobs. */
  async finished(tenantId: TenantId, jobId: string): Promise<void> {
    const pending = await this.fairness.release(tenantId, jobId);
    // Bounded: a parked id whose job vanished (deleted document) frees its slot for the next.
    for (let i = 0; i < pending.length && i < 100; i++) {
      const job = await this.queue.getJob(pending[i]);
      if (!job) {
        pending.push(...(await this.fairness.release(tenantId, pending[i])));
        continue;
      }
      if (await job.isDelayed()) {
        await job.promote().catch(() => undefined);
      }
    }
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
