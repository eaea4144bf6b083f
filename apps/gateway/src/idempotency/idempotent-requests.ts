import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { z } from 'zod';

import { DomainError, ErrorCode } from '@tenantbot/contracts';
import type { RequestContext } from '@tenantbot/tenant-context';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer that is the stored first answer of its Idempotency-Key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const MAX_KEY_LENGTH = 255;
/** A key whose first request never finished (its gateway died) is free again after this. */
const PENDING_TTL_MS = 180_000;
const POLL_MS = 50;

/** What a key's first request is doing, or what it answered. */
type KeyRecord =
  | { state: 'pending'; fingerprint: string; owner: string }
  | { state: 'done'; fingerprint: string; result: unknown };

/** A key this request holds: store its result, or let the key go when the work failed. */
export interface KeyClaim {
  complete: (result: unknown) => Promise<void>;
  release: () => Promise<void>;
}

/** The outcome of an idempotent request: the work's result, or the first request's. */
export interface Idempotent<T> {
  result: T;
  replayed: boolean;
}

/** Replaces the pending record with the result, only while the record is still the caller's. */
const COMPLETE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and string.find(current, ARGV[1], 1, true) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

const RELEASE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and string.find(current, ARGV[1], 1, true) then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * `Idempotency-Key` (ADR idempotency): the same key with the same body within
 * IDEMPOTENCY_TTL_S answers the first request's result and does nothing again; with another
 * body, 409 IDEMPOTENCY_KEY_REUSED. A duplicate that arrives while the first still runs waits
 * for its result (up to IDEMPOTENCY_WAIT_MS, then 409 IDEMPOTENCY_KEY_IN_USE), so two never
 * both run. Keys are scoped per tenant, caller (user, API key or visitor) and route, and kept
 * in Redis with their TTL. A request that fails keeps nothing: it may be retried with its key.
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The request's Idempotency-Key, checked; undefined when it has none. */
  keyOf(request: FastifyRequest): string | undefined {
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined) {
      return undefined;
    }
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `Idempotency-Key: 1 to ${MAX_KEY_LENGTH} visible ASCII characters`,
        [{ field: 'Idempotency-Key', message: 'invalid' }],
      );
    }
    return key;
  }

  /** Runs `work` once per key (and body): `fingerprint` is what makes two requests the same. */
  async run<T>(
    caller: RequestContext,
    route: string,
    request: { key: string | undefined; fingerprint: unknown; result: z.ZodType<T> },
    work: () => Promise<T>,
  ): Promise<Idempotent<T>> {
    const claim = await this.begin(caller, route, request.key, request.fingerprint);
    if ('replay' in claim) {
      return { result: request.result.parse(claim.replay), replayed: true };
    }
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await claim.release();
      throw error;
    }
    await claim.complete(result);
    return { result, replayed: false };
  }

  /**
   * Claims the key for this request, and gives back how to store its result or release the
   * key (for work that finishes later, a stream); or the first request's result, waiting
   * while that one runs.
   */
  async begin(
    caller: RequestContext,
    route: string,
    key: string | undefined,
    fingerprint: unknown,
  ): Promise<{ replay: unknown } | KeyClaim> {
    if (key === undefined) {
      return { complete: () => Promise.resolve(), release: () => Promise.resolve() };
    }
    const redisKey = this.redisKeyOf(caller, route, key);
    const print = fingerprintOf(fingerprint);
    const owner = randomUUID();
    const pending = JSON.stringify({
      state: 'pending',
      fingerprint: print,
      owner,
    } satisfies KeyRecord);
    const until = Date.now() + this.config.IDEMPOTENCY_WAIT_MS;
    for (;;) {
      if ((await this.redis.set(redisKey, pending, 'PX', PENDING_TTL_MS, 'NX')) === 'OK') {
        return {
          complete: (result) => this.complete(redisKey, owner, print, result),
          release: async () => {
            await this.redis.eval(RELEASE_SCRIPT, 1, redisKey, owner).catch(() => undefined);
          },
        };
      }
      const raw = await this.redis.get(redisKey);
      const record = raw ? (JSON.parse(raw) as KeyRecord) : undefined;
      if (record && record.fingerprint !== print) {
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'this Idempotency-Key was used with another request body; use a new key',
        );
      }
      if (record?.state === 'done') {
        return { replay: record.result };
      }
      if (record && Date.now() >= until) {
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_IN_USE,
          'a request with this Idempotency-Key is still running; retry shortly',
          { retry_after_s: 1 },
        );
      }
      // Still running: wait for it. Gone (it failed and let the key go): claim it again.
      if (record) {
        await sleep(POLL_MS);
      }
    }
  }

  private async complete(redisKey: string, owner: string, print: string, result: unknown) {
    const record: KeyRecord = { state: 'done', fingerprint: print, result };
    await this.redis.eval(
      COMPLETE_SCRIPT,
      1,
      redisKey,
      owner,
      JSON.stringify(record),
      String(this.config.IDEMPOTENCY_TTL_S * 1000),
    );
  }

  private redisKeyOf(caller: RequestContext, route: string, key: string): string {
    const principal = caller.principal;
    const who =
      principal?.apiKeyId ??
      principal?.userId ??
      (principal?.visitorId ? `${principal.widgetId}/${principal.visitorId}` : 'anonymous');
    const scope = `${caller.tenantId ?? 'platform'}\0${who}\0${route}\0${key}`;
    const digest = createHash('sha256').update(scope).digest('base64url');
    return `${this.config.REDIS_PREFIX}:idempotency:${caller.tenantId ?? 'platform'}:${digest}`;
  }
}

/** A stable digest of a request's body: object keys sorted, so key order does not matter. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
