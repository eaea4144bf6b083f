import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DelayedError, type Job, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import type { Logger } from '@tenantbot/observability';
import { runWithContext } from '@tenantbot/tenant-context';

import type { RagConfig } from '../config/rag-config';
import { INGESTION_REDIS, RAG_CONFIG, RAG_LOGGER } from '../config/tokens';
import {
  bullPrefix,
  INGESTION_QUEUE,
  type IngestionJobData,
  ingestionJobDataSchema,
  PARK_MS,
} from './ingestion-job';
import { IngestionPipeline } from './ingestion-pipeline';
import { IngestionQueue } from './ingestion-queue';
import { TenantFairness } from './tenant-fairness';

/**
 * Runs ingestion jobs from the shared BullMQ queue. A job first takes one of its tenant's
 * slots; when the tenant already runs its share, the job is parked (delayed) until a slot
 * frees, which does not count as an attempt. A job whose worker died is taken over after its
 * lock expires (BullMQ's stalled-job check) and simply runs again.
 *
 * Jobs are not messages: a job's tenant comes from its data, checked to be a `TenantId`, and
 * every step receives it explicitly. Starts with the service; on shutdown stops taking jobs
 * before the connections close.
 */
@Injectable()
export class IngestionWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: Worker<IngestionJobData>;
  private events?: QueueEvents;
  private eventsConnection?: Redis;

  constructor(
    @Inject(INGESTION_REDIS) private readonly connection: Redis,
    private readonly pipeline: IngestionPipeline,
    private readonly queue: IngestionQueue,
    private readonly fairness: TenantFairness,
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
    @Inject(RAG_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private start(): void {
    const lockMs = this.config.INGESTION_LOCK_MS;
    this.worker = new Worker<IngestionJobData>(
      INGESTION_QUEUE,
      (job, token) => this.process(job, token),
      {
        connection: this.connection,
        prefix: bullPrefix(this.config.REDIS_PREFIX),
        concurrency: this.config.INGESTION_CONCURRENCY,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: 3,
      },
    );
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'ingestion worker error'));
    // `run` never lets a last attempt fail; a job BullMQ fails anyway (it stalled too often)
    // must not leave its document `processing`.
    this.eventsConnection = this.connection.duplicate();
    this.events = new QueueEvents(INGESTION_QUEUE, {
      connection: this.eventsConnection,
      prefix: bullPrefix(this.config.REDIS_PREFIX),
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.abandoned(jobId, failedReason).catch((error: unknown) =>
        this.logger.warn({ err: error, job_id: jobId }, 'failing an abandoned job failed'),
      );
    });
  }

  /**
   * Stops taking jobs and waits a little for running ones. Jobs still running after that are
   * abandoned: their lock expires and another worker (or this one after a restart) reruns them.
   */
  private async stop(graceMs = 5000): Promise<void> {
    if (!this.worker) {
      return;
    }
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
    if (!job || (await job.getState()) !== 'failed') {
      return;
    }
    this.logger.warn({ job_id: jobId, reason }, 'ingestion job abandoned');
    const data = ingestionJobDataSchema.parse(job.data);
    await this.pipeline.abandon(data, reason);
    await this.queue.finished(data.tenantId, jobId);
  }

  private async process(job: Job<IngestionJobData>, token?: string): Promise<void> {
    const data = ingestionJobDataSchema.parse(job.data);
    const { tenantId } = data;
    const jobId = job.id ?? '';
    if (!(await this.fairness.acquire(tenantId, jobId))) {
      await job.moveToDelayed(Date.now() + PARK_MS, token);
      throw new DelayedError();
    }
    const lease = setInterval(() => {
      this.fairness.renew(tenantId, jobId).catch(() => undefined);
    }, this.config.INGESTION_LOCK_MS / 3);
    try {
      const attempts = job.opts.attempts ?? 1;
      // The context only labels the job's log lines; the pipeline takes the tenant from `data`.
      await runWithContext({ requestId: `ingestion:${jobId}`, tenantId }, () =>
        this.pipeline.run(data, {
          number: job.attemptsMade + 1,
          last: job.attemptsMade + 1 >= attempts,
        }),
      );
    } finally {
      clearInterval(lease);
      await this.queue
        .finished(tenantId, jobId)
        .catch((error: unknown) =>
          this.logger.warn({ err: error, job_id: jobId }, 'releasing a tenant slot failed'),
        );
    }
  }
}
