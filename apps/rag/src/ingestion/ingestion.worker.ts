import { DelayedError, QueueEvents, Worker, type Job } from 'bullmq';
import type { Logger } from '@tenantbot/observability';
import { runWithContext } from '@tenantbot/tenant-context';
import type { Redis } from 'ioredis';
import type { IngestionPipeline } from './ingestion-pipeline';
import { INGESTION_QUEUE, type IngestionJobData } from './ingestion-job';
import type { IngestionQueue } from './ingestion-queue';
import type { TenantFairness } from './tenant-fairness';

export interface IngestionWorkerOptions {
  bullPrefix: string;
  concurrency: number;
  lockMs: number;
  parkMs: number;
  logger: Logger;
}

/**
 * Runs ingestion jobs from the shared BullMQ queue. A job first takes one of its tenant's
 * slots; when the tenant already runs its share, the job is parked (delayed) until a slot
 * frees, which does not count as an attempt. A job whose worker died is taken over after its
 * lock expires (BullMQ's stalled-job check) and simply runs again.
 */
export class IngestionWorker {
  private worker?: Worker<IngestionJobData>;
  private events?: QueueEvents;
  private eventsConnection?: Redis;

  constructor(
    private readonly connection: Redis,
    private readonly pipeline: IngestionPipeline,
    private readonly queue: IngestionQueue,
    private readonly fairness: TenantFairness,
    private readonly options: IngestionWorkerOptions,
  ) {}

  start(): void {
    this.worker = new Worker<IngestionJobData>(
      INGESTION_QUEUE,
      (job, token) => this.process(job, token),
      {
        connection: this.connection,
        prefix: this.options.bullPrefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.lockMs,
        maxStalledCount: 3,
      },
    );
    this.worker.on('error', (error) =>
      this.options.logger.warn({ err: error }, 'ingestion worker error'),
    );
    // `run` never lets a last attempt fail; a job BullMQ fails anyway (it stalled too often)
    // must not leave its document `processing`.
    this.eventsConnection = this.connection.duplicate();
    this.events = new QueueEvents(INGESTION_QUEUE, {
      connection: this.eventsConnection,
      prefix: this.options.bullPrefix,
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.abandoned(jobId, failedReason).catch((error: unknown) =>
        this.options.logger.warn({ err: error, job_id: jobId }, 'failing an abandoned job failed'),
      );
    });
  }

  /**
   * Stops taking jobs and waits a little for running ones. Jobs still running after that are
   * abandoned: their lock expires and another worker (or this one after a restart) reruns them.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.worker) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.worker.close(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    await this.events?.close();
    this.eventsConnection?.disconnect();
  }

  private async abandoned(jobId: string, reason: string): Promise<void> {
    const job = await this.queue.queue.getJob(jobId);
    if (!job || (await job.getState()) !== 'failed') return;
    this.options.logger.warn({ job_id: jobId, reason }, 'ingestion job abandoned');
    await this.pipeline.abandon(job.data, reason);
    await this.queue.finished(job.data.tenantId, jobId);
  }

  private async process(job: Job<IngestionJobData>, token?: string): Promise<void> {
    const { tenantId } = job.data;
    const jobId = job.id ?? '';
    if (!(await this.fairness.acquire(tenantId, jobId))) {
      await job.moveToDelayed(Date.now() + this.options.parkMs, token);
      throw new DelayedError();
    }
    const lease = setInterval(() => {
      this.fairness.renew(tenantId, jobId).catch(() => undefined);
    }, this.options.lockMs / 3);
    try {
      const attempts = job.opts.attempts ?? 1;
      await runWithContext({ requestId: `ingestion:${jobId}`, tenantId }, () =>
        this.pipeline.run(job.data, {
          number: job.attemptsMade + 1,
          last: job.attemptsMade + 1 >= attempts,
        }),
      );
    } finally {
      clearInterval(lease);
      await this.queue
        .finished(tenantId, jobId)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error, job_id: jobId }, 'releasing a tenant slot failed'),
        );
    }
  }
}
