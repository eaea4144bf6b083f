import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Job, type MinimalJob, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';

import { type TenantId, tenantIdOf } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { sealedSecretSchema, SecretBox } from '../security/secret-box';
import { LOGGER } from '../tokens';
import { WebhookRepository } from './webhook.repository';
import { retryDelayMs, type RetrySchedule } from './webhook-retry';
import { WebhookSender } from './webhook-sender';
import { signWebhook } from './webhook-signature';

const QUEUE = 'webhook-deliveries';
/** Retries stop at the window's end (retryDelayMs); this only bounds a misconfiguration. */
const MAX_ATTEMPTS = 10_000;
/** Completed jobs are kept a little longer than the retry window: the deduplication by id. */
const KEEP_COMPLETED_S = 25 * 3600;

const deliveryJobSchema = z.object({
  tenantId: z.uuid(),
  webhookId: z.uuid(),
  eventId: z.uuid(),
  eventType: z.string(),
  /** The payload as sent, byte for byte, at every attempt (each signed with its own t). */
  body: z.string(),
});
export type DeliveryJob = z.output<typeof deliveryJobSchema>;

/**
 * One BullMQ job per (endpoint, event): the job id is both, so an event that reaches the
 * service twice is delivered once. A failed attempt is retried with exponential backoff until
 * the retry window (24 h) ends; an endpoint that resolves to an internal address is not
 * retried. Every attempt is written to `webhook_deliveries`, in the job's tenant.
 */
@Injectable()
export class WebhookDeliveryQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly connection: Redis;
  private readonly queue: Queue<DeliveryJob>;
  private worker?: Worker<DeliveryJob>;
  private readonly secrets: SecretBox;
  private readonly schedule: RetrySchedule;
  private readonly prefix: string;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
    @Inject(TENANTS_CONFIG) private readonly config: TenantsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.connection = new Redis(config.REDIS_URL, {
      password: config.REDIS_PASSWORD,
      maxRetriesPerRequest: null,
    });
    this.connection.on('error', (error: Error) =>
      logger.warn({ err: error }, 'webhook queue redis error'),
    );
    this.prefix = `${config.REDIS_PREFIX}:bull`;
    this.queue = new Queue<DeliveryJob>(QUEUE, {
      connection: this.connection,
      prefix: this.prefix,
    });
    this.secrets = new SecretBox(config.ENCRYPTION_KEY);
    this.schedule = {
      baseMs: config.WEBHOOK_RETRY_BASE_MS,
      maxDelayMs: config.WEBHOOK_RETRY_MAX_DELAY_MS,
      windowMs: config.WEBHOOK_RETRY_WINDOW_MS,
    };
  }

  async enqueue(job: DeliveryJob): Promise<void> {
    await this.queue.add('deliver', job, {
      jobId: `${job.webhookId}.${job.eventId}`,
      attempts: MAX_ATTEMPTS,
      backoff: { type: 'webhook' },
      removeOnComplete: { age: KEEP_COMPLETED_S },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker<DeliveryJob>(QUEUE, (job) => this.deliver(job), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: this.config.WEBHOOK_CONCURRENCY,
      settings: {
        backoffStrategy: (
          failedAttempts: number,
          _type?: string,
          _error?: Error,
          job?: MinimalJob,
        ) =>
          retryDelayMs(this.schedule, failedAttempts, job?.timestamp ?? Date.now(), Date.now()) ??
          -1,
      },
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'webhook worker error'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.connection.disconnect();
  }

  private async deliver(job: Job<DeliveryJob>): Promise<void> {
    const data = deliveryJobSchema.parse(job.data);
    const tenantId: TenantId = tenantIdOf(data.tenantId);
    const webhook = await this.webhooks.findById(tenantId, data.webhookId);
    if (!webhook) {
      return; // deleted: nothing more to send
    }
    const secret = this.secrets.open(
      sealedSecretSchema.parse(JSON.parse(webhook.secret_ciphertext)),
    );
    const attempt = await this.sender.send({
      url: webhook.url,
      body: data.body,
      signature: signWebhook(secret, data.body, Math.floor(Date.now() / 1000)),
      eventId: data.eventId,
      eventType: data.eventType,
    });
    const number = job.attemptsMade + 1;
    const retryIn =
      attempt.outcome === 'failed'
        ? retryDelayMs(this.schedule, number, job.timestamp, Date.now())
        : undefined;
    await this.webhooks.recordAttempt(tenantId, {
      tenant_id: tenantId,
      webhook_id: data.webhookId,
      event_id: data.eventId,
      event_type: data.eventType,
      attempt: number,
      outcome: attempt.outcome,
      response_status: attempt.responseStatus,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      next_attempt_at: retryIn === undefined ? null : new Date(Date.now() + retryIn),
    });
    if (attempt.outcome === 'refused') {
      throw new UnrecoverableError(attempt.error ?? 'refused');
    }
    if (attempt.outcome === 'failed') {
      this.logger.info(
        {
          webhook_id: data.webhookId,
          event_id: data.eventId,
          attempt: number,
          retry_in_ms: retryIn,
        },
        `webhook delivery failed: ${attempt.error}`,
      );
      throw new Error(attempt.error ?? 'delivery failed');
    }
  }
}
