import type { Queue } from 'bullmq';
import { ingestionJobId, type IngestionJobData } from './ingestion-job';
import type { TenantFairness } from './tenant-fairness';

export interface IngestionQueueOptions {
  attempts: number;
  backoffMs: number;
  /** How long a parked job sleeps unless promoted first: the safety net if a promotion is lost. */
  parkMs: number;
}

/** Enqueues, cancels and promotes ingestion jobs through the tenant's admission. */
export class IngestionQueue {
  constructor(
    readonly queue: Queue<IngestionJobData>,
    private readonly fairness: TenantFairness,
    private readonly options: IngestionQueueOptions,
  ) {}

  async enqueue(data: IngestionJobData): Promise<void> {
    const jobId = ingestionJobId(data.documentId, data.version);
    const admitted = await this.fairness.admit(data.tenantId, jobId);
    await this.queue.add('ingest', data, {
      jobId,
      delay: admitted ? 0 : this.options.parkMs,
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600, count: 1000 },
    });
  }

  /**
   * Removes a version's job and frees its slot, unless it is running: a running job notices
   * at its end that its version is gone, and frees its slot itself.
   */
  async cancel(tenantId: string, documentId: string, version: number): Promise<void> {
    const jobId = ingestionJobId(documentId, version);
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isActive())) return;
    await job?.remove().catch(() => undefined);
    await this.finished(tenantId, jobId);
  }

  /** Frees the job's slot and promotes the tenant's next parked jobs. */
  async finished(tenantId: string, jobId: string): Promise<void> {
    const pending = await this.fairness.release(tenantId, jobId);
    // Bounded: a parked id whose job vanished (deleted document) frees its slot for the next.
    for (let i = 0; i < pending.length && i < 100; i++) {
      const job = await this.queue.getJob(pending[i]);
      if (!job) {
        pending.push(...(await this.fairness.release(tenantId, pending[i])));
        continue;
      }
      if (await job.isDelayed()) await job.promote().catch(() => undefined);
    }
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
