import type { Logger } from 'pino';

export interface StreamsTransportOptions {
  redisUrl: string;
  /** AUTH password when it is not in the URL (a secret of its own in deployments). */
  redisPassword?: string;
  /** Every key starts with `<prefix>:`, so deployments and test runs never meet. */
  prefix: string;
  /** Deadline of a call when the caller names none (default 5 s). */
  timeoutMs?: number;
  /** A pending request idle this long on a silent replica is claimed by another (default 2 s). */
  claimIdleMs?: number;
  /** A request stream is capped at about this many entries (default 100,000). */
  maxStreamLength?: number;
  logger?: Logger;
}

export interface StreamsServerOptions extends StreamsTransportOptions {
  /** The service this replica belongs to; replicas of one service share its consumer group. */
  service: string;
  /** Requests one replica handles at once (default 256); the rest wait for any replica. */
  maxInFlight?: number;
  /** A request delivered this many times without completing is failed, not retried (default 5). */
  maxDeliveries?: number;
  /**
   * Check every reply of a pattern of the message map against its reply schema, and answer
   * INTERNAL_ERROR naming the mismatches when it does not match. On in test runs
   * (`TRANSPORT_CHECK_REPLIES=true`, set by the jest global setup), off otherwise: the schemas
   * are held to what the services send without a cost on the hot path in production or in the
   * benchmarks.
   */
  checkReplies?: boolean;
}

export interface CallOptions {
  /** Deadline for the first reply, and for each next value of a streamed reply. */
  timeoutMs?: number;
}

export const TRANSPORT_DEFAULTS = {
  timeoutMs: 5000,
  claimIdleMs: 2000,
  maxStreamLength: 100_000,
  maxInFlight: 256,
  maxDeliveries: 5,
  blockMs: 5000,
  readBatch: 128,
} as const;

/** How often a replica says it is alive; a replica silent for 4 beats counts as gone. */
export function heartbeatIntervalMs(claimIdleMs: number): number {
  return Math.max(50, Math.min(1000, Math.floor(claimIdleMs / 4)));
}

/** The transport settings every app validates from its environment (libs/config schemas). */
export interface TransportEnv {
  REDIS_URL: string;
  REDIS_PASSWORD?: string;
  REDIS_PREFIX: string;
  TRANSPORT_TIMEOUT_MS: number;
  TRANSPORT_CLAIM_IDLE_MS: number;
  TRANSPORT_CHECK_REPLIES?: boolean;
}

export function transportOptionsFrom(
  config: TransportEnv,
): StreamsTransportOptions & Pick<StreamsServerOptions, 'checkReplies'> {
  return {
    checkReplies: config.TRANSPORT_CHECK_REPLIES ?? false,
    redisUrl: config.REDIS_URL,
    redisPassword: config.REDIS_PASSWORD,
    prefix: config.REDIS_PREFIX,
    timeoutMs: config.TRANSPORT_TIMEOUT_MS,
    claimIdleMs: config.TRANSPORT_CLAIM_IDLE_MS,
  };
}
