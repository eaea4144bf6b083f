import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { BaseRpcContext, type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { isObservable, lastValueFrom, map, type Observable, type Subscription } from 'rxjs';

import { ErrorCode } from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';

import { FinishBatcher } from './finish-batcher';
import { heartbeatIntervalMs, type StreamsServerOptions, TRANSPORT_DEFAULTS } from './options';
import { createRedisConnection, isBusyGroupError, isNoGroupError, sleep } from './redis-connection';
import { replyMismatch } from './reply-check';
import { StreamKeys } from './stream-keys';
import {
  decodeEntry,
  encode,
  type ReplyEnvelope,
  type RequestEnvelope,
  toErrorBody,
  transportError,
} from './wire';

type StreamEntry = [id: string, fields: string[]];
type StreamReadResult = [stream: string, entries: StreamEntry[]][] | null;

/** The handler's view of the message: `[pattern, envelope]`. */
/** The pattern, the request, and whether this delivery is a claimed one (not the first). */
export class StreamsContext extends BaseRpcContext<[string, RequestEnvelope, boolean]> {
  getPattern(): string {
    return this.args[0];
  }

  /** Claimed from a replica that read it before (it died, or stalled): maybe run already. */
  isRedelivery(): boolean {
    return this.args[2];
  }
}

/**
 * A Nest transport strategy on Redis Streams consumer groups.
 *
 * - Requests for service S go to the stream `svc:S:requests`; all replicas of S read it as
 *   one consumer group, so each request reaches exactly one replica.
 * - A replica keeps its in-flight entries fresh (XCLAIM to itself); entries of a replica that
 *   stops doing so are claimed by another after `claimIdleMs` (XAUTOCLAIM) and run there.
 * - The reply, the acknowledgement and the deletion of the entry are one MULTI, so a request
 *   that completed is never pending, never claimed, never run again.
 * - Events go to one stream per pattern; each subscribing service has its own group on it.
 */
export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  readonly consumer: string;
  private readonly keys: StreamKeys;
  private readonly claimIdleMs: number;
  private readonly maxInFlight: number;
  private readonly maxDeliveries: number;
  private commands?: Redis;
  private reader?: Redis;
  private subscriber?: Redis;
  private closing = false;
  private readLoop?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  /** stream → entry ids this replica is working on. */
  private readonly inFlight = new Map<string, Set<string>>();
  private inFlightCount = 0;
  private finisher?: FinishBatcher;
  private slotWaiters: (() => void)[] = [];
  /** request id → subscription of a streamed reply, so a caller can cancel it. */
  private readonly activeStreams = new Map<string, Subscription>();

  constructor(private readonly options: StreamsServerOptions) {
    super();
    this.keys = new StreamKeys(options.prefix);
    this.claimIdleMs = options.claimIdleMs ?? TRANSPORT_DEFAULTS.claimIdleMs;
    this.maxInFlight = options.maxInFlight ?? TRANSPORT_DEFAULTS.maxInFlight;
    this.maxDeliveries = options.maxDeliveries ?? TRANSPORT_DEFAULTS.maxDeliveries;
    this.consumer = `${options.service}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  private get redis(): Redis {
    if (!this.commands) {
      throw new Error('the transport server is not listening');
    }
    return this.commands;
  }

  private get blockingReader(): Redis {
    if (!this.reader) {
      throw new Error('the transport server is not listening');
    }
    return this.reader;
  }

  get service(): string {
    return this.options.service;
  }

  on(): void {
    throw new Error('RedisStreamsServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.commands as T;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.assertPatternsBelongToService();
      const url = this.options.redisUrl;
      const password = this.options.redisPassword;
      this.commands = createRedisConnection(url, `${this.consumer}:cmd`, 'commands', password);
      this.reader = createRedisConnection(url, `${this.consumer}:read`, 'blocking', password);
      this.subscriber = createRedisConnection(url, `${this.consumer}:sub`, 'subscriber', password);
      for (const connection of [this.commands, this.reader, this.subscriber]) {
        connection.on('error', (error: Error) => this.warn('redis connection error', error));
      }
      FinishBatcher.defineCommand(this.commands);
      await Promise.all([
        this.commands.connect(),
        this.reader.connect(),
        this.subscriber.connect(),
      ]);
      await this.ensureGroups();
      await this.listenForCancellations(this.subscriber);
      await this.heartbeat();
      this.every(heartbeatIntervalMs(this.claimIdleMs), () => this.heartbeat());
      this.every(heartbeatIntervalMs(this.claimIdleMs), () => this.touchInFlight());
      this.every(Math.max(50, Math.floor(this.claimIdleMs / 2)), () => this.claimAbandoned());
      this.every(10_000, () => this.trimEventStreams());
      this.readLoop = this.readUntilClosed();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    if (this.closing) {
      return;
    }
    this.closing = true;
    this.timers.forEach(clearInterval);
    this.reader?.disconnect();
    await this.readLoop;
    await this.drainInFlight(5000);
    if (this.commands && this.inFlightCount === 0) {
      await this.leaveGroups().catch((error: unknown) => this.warn('leaving groups failed', error));
    }
    this.subscriber?.disconnect();
    await this.commands?.quit().catch(() => undefined);
  }

  // ---- reading ---------------------------------------------------------------------------

  private requestStreamKey?: string | null;

  private requestStream(): string | undefined {
    if (this.requestStreamKey === undefined) {
      const hasRequestHandlers = [...this.messageHandlers.values()].some((h) => !h.isEventHandler);
      this.requestStreamKey = hasRequestHandlers ? this.keys.requests(this.service) : null;
    }
    return this.requestStreamKey ?? undefined;
  }

  /** Patterns are plain strings here: skip Nest's JSON.parse attempt on every message. */
  private handlerFor(pattern: string) {
    return this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
  }

  private streamsToRead(): string[] {
    const events = [...this.messageHandlers.entries()]
      .filter(([, handler]) => handler.isEventHandler)
      .map(([pattern]) => this.keys.events(pattern));
    const requests = this.requestStream();
    return requests ? [requests, ...events] : events;
  }

  private async readUntilClosed(): Promise<void> {
    const streams = this.streamsToRead();
    if (streams.length === 0) {
      return;
    }
    while (!this.closing) {
      await this.waitForFreeSlot();
      if (this.closing) {
        break;
      }
      const count = Math.min(TRANSPORT_DEFAULTS.readBatch, this.maxInFlight - this.inFlightCount);
      let result: StreamReadResult;
      try {
        result = (await this.blockingReader.xreadgroup(
          'GROUP',
          this.service,
          this.consumer,
          'COUNT',
          count,
          'BLOCK',
          TRANSPORT_DEFAULTS.blockMs,
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        )) as StreamReadResult;
      } catch (error) {
        if (this.closing) {
          break;
        }
        if (isNoGroupError(error)) {
          // Redis lost its data (a restart without persistence): recreate our groups.
          await this.ensureGroups().catch((e: unknown) => this.warn('recreating groups failed', e));
        } else {
          this.warn('reading streams failed; retrying', error);
          await sleep(200);
        }
        continue;
      }
      for (const [stream, entries] of result ?? []) {
        for (const [id, fields] of entries) {
          this.dispatch(stream, id, fields, false);
        }
      }
    }
  }

  private dispatch(stream: string, entryId: string, fields: string[], claimed: boolean): void {
    const ids = this.inFlight.get(stream) ?? new Set<string>();
    if (ids.has(entryId)) {
      return;
    }
    ids.add(entryId);
    this.inFlight.set(stream, ids);
    this.inFlightCount++;
    void this.process(stream, entryId, fields, claimed)
      .catch((error: unknown) => this.warn('processing an entry failed', error))
      .finally(() => this.release(stream, entryId));
  }

  private async process(
    stream: string,
    entryId: string,
    fields: string[],
    claimed: boolean,
  ): Promise<void> {
    const envelope = decodeEntry<RequestEnvelope>(fields);
    if (!envelope || typeof envelope.pattern !== 'string') {
      this.warn(`dropping malformed entry ${entryId} on ${stream}`);
      return this.acknowledge(stream, entryId);
    }
    if (stream !== this.requestStream()) {
      return this.processEvent(stream, entryId, envelope, claimed);
    }
    if (envelope.deadline !== undefined && Date.now() > envelope.deadline) {
      // The caller has given up; running it now would only waste work.
      return this.acknowledge(stream, entryId);
    }
    if (claimed && (await this.deliveryCount(stream, entryId)) > this.maxDeliveries) {
      return this.finish(stream, entryId, envelope, {
        err: transportError(
          ErrorCode.INTERNAL_ERROR,
          `request failed on ${this.maxDeliveries} replicas in a row`,
        ),
      });
    }
    return this.processRequest(stream, entryId, envelope, claimed);
  }

  private async processRequest(
    stream: string,
    entryId: string,
    envelope: RequestEnvelope,
    claimed: boolean,
  ) {
    const handler = this.handlerFor(envelope.pattern);
    if (!handler) {
      return this.finish(stream, entryId, envelope, {
        err: transportError(ErrorCode.NOT_IMPLEMENTED, `no handler for ${envelope.pattern}`),
      });
    }
    const context = envelope.context ?? { requestId: envelope.id };
    await runWithContext({ ...context }, async () => {
      let result: unknown;
      try {
        result = await handler(
          envelope.data,
          new StreamsContext([envelope.pattern, envelope, claimed]),
        );
      } catch (error) {
        return this.finish(stream, entryId, envelope, { err: this.describeFailure(error) });
      }
      if (!isObservable(result)) {
        const mismatch = this.replyMismatchOf(envelope.pattern, result);
        return this.finish(
          stream,
          entryId,
          envelope,
          mismatch ? { err: this.describeFailure(mismatch) } : { response: result },
        );
      }
      const values = this.checkedValues(envelope.pattern, result);
      await new Promise<void>((resolve) => {
        // Values leave in order, pipelined; one that Redis refused (it was away) must not let
        // the reply end as if complete: the caller gets an error instead of a silent gap.
        const sending = new Set<Promise<boolean>>();
        const end = async (last: Partial<ReplyEnvelope>) => {
          this.activeStreams.delete(envelope.id);
          const delivered = await Promise.all(sending);
          const complete = delivered.every(Boolean) ? last : { err: lostValueError() };
          await this.finish(stream, entryId, envelope, last.err ? last : complete)
            .catch((error: unknown) => this.warn('finishing a streamed reply failed', error))
            .finally(resolve);
        };
        const subscription = values.subscribe({
          next: (value) => {
            const sent = this.reply(envelope, { response: value });
            sending.add(sent);
            void sent.then((ok) => ok && sending.delete(sent));
          },
          error: (error: unknown) => void end({ err: this.describeFailure(error) }),
          complete: () => void end({}),
        });
        if (!subscription.closed) {
          this.activeStreams.set(envelope.id, subscription);
          subscription.add(() => {
            // Teardown without complete/error: the caller cancelled.
            if (this.activeStreams.delete(envelope.id)) {
              void end({});
            }
          });
        }
      });
    });
  }

  private async processEvent(
    stream: string,
    entryId: string,
    envelope: RequestEnvelope,
    claimed: boolean,
  ) {
    const handler = this.handlerFor(envelope.pattern);
    if (handler) {
      await runWithContext({ ...(envelope.context ?? { requestId: envelope.id }) }, async () => {
        try {
          const result = await handler(
            envelope.data,
            new StreamsContext([envelope.pattern, envelope, claimed]),
          );
          if (isObservable(result)) {
            await lastValueFrom(result, { defaultValue: undefined });
          }
        } catch (error) {
          this.warn(`event handler for ${envelope.pattern} failed`, error);
        }
      });
    }
    await this.acknowledge(stream, entryId);
  }

  /** In test runs (`checkReplies`), a reply that does not match its schema. */
  private replyMismatchOf(pattern: string, reply: unknown) {
    return this.options.checkReplies ? replyMismatch(pattern, reply) : undefined;
  }

  /** In test runs (`checkReplies`), a streamed reply that fails at its first value off schema. */
  private checkedValues(pattern: string, values: Observable<unknown>): Observable<unknown> {
    if (!this.options.checkReplies) {
      return values;
    }
    return values.pipe(
      map((value) => {
        const mismatch = replyMismatch(pattern, value);
        if (mismatch) {
          throw mismatch;
        }
        return value;
      }),
    );
  }

  private describeFailure(error: unknown) {
    const body = toErrorBody(error);
    if (body.code === ErrorCode.INTERNAL_ERROR) {
      this.warn('handler failed', error);
    }
    return body;
  }

  // ---- replying --------------------------------------------------------------------------

  /** Sends one value of a streamed reply; resolves whether Redis took it. */
  private reply(envelope: RequestEnvelope, message: Partial<ReplyEnvelope>): Promise<boolean> {
    if (!envelope.replyTo) {
      return Promise.resolve(true);
    }
    const reply: ReplyEnvelope = { id: envelope.id, by: this.consumer, ...message };
    return this.redis.xadd(envelope.replyTo, 'NOMKSTREAM', '*', 'm', encode(reply)).then(
      () => true,
      (error: unknown) => {
        this.warn('sending a reply failed', error);
        return false;
      },
    );
  }

  /**
   * The last reply, the acknowledgement and the deletion of the entry, atomically. While Redis
   * is away this is retried until the caller's deadline: the entry stays in flight here, so
   * nobody claims it, and the work it did (a stored chat exchange) is not done a second time.
   */
  private async finish(
    stream: string,
    entryId: string,
    envelope: RequestEnvelope,
    last: Partial<ReplyEnvelope>,
  ): Promise<void> {
    const reply: ReplyEnvelope = { id: envelope.id, by: this.consumer, ...last, isDisposed: true };
    this.finisher ??= new FinishBatcher(this.redis, stream, this.service);
    const giveUpAt = envelope.deadline ?? Date.now() + TRANSPORT_DEFAULTS.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.finisher.finish(
          entryId,
          envelope.replyTo ?? '',
          envelope.replyTo ? encode(reply) : '',
          this.inFlightCount > 1,
        );
      } catch (error) {
        // Past the deadline a claimer acknowledges the entry without running it again.
        if (Date.now() > giveUpAt) {
          throw error;
        }
        await sleep(Math.min(50 * 2 ** attempt, 500));
      }
    }
  }

  private async acknowledge(stream: string, entryId: string): Promise<void> {
    const transaction = this.redis.multi().xack(stream, this.service, entryId);
    // Event streams are shared by several groups; they are trimmed, not deleted from.
    if (stream === this.requestStream()) {
      transaction.xdel(stream, entryId);
    }
    await transaction.exec();
  }

  // ---- cancellation ----------------------------------------------------------------------

  private async listenForCancellations(subscriber: Redis): Promise<void> {
    const channel = this.keys.cancellations(this.service);
    subscriber.on('message', (_channel: string, requestId: string) => {
      this.activeStreams.get(requestId)?.unsubscribe();
    });
    await subscriber.subscribe(channel);
  }

  // ---- liveness, claiming, trimming -----------------------------------------------------

  private async heartbeat(): Promise<void> {
    const key = this.keys.replicas(this.service);
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(key, now, this.consumer)
      .zremrangebyscore(key, '-inf', now - 60_000)
      .exec();
  }

  /** Resets the idle time of our in-flight entries so that nobody claims them. */
  private async touchInFlight(): Promise<void> {
    for (const [stream, ids] of this.inFlight) {
      if (ids.size === 0) {
        continue;
      }
      await this.redis.xclaim(stream, this.service, this.consumer, 0, ...ids, 'JUSTID');
    }
  }

  /** Takes over entries left pending by replicas that stopped heart-beating. */
  private async claimAbandoned(): Promise<void> {
    for (const stream of this.streamsToRead()) {
      let cursor = '0-0';
      do {
        const free = this.maxInFlight - this.inFlightCount;
        if (free <= 0 || this.closing) {
          return;
        }
        const [next, entries] = (await this.redis.xautoclaim(
          stream,
          this.service,
          this.consumer,
          this.claimIdleMs,
          cursor,
          'COUNT',
          Math.min(free, 64),
        )) as [string, (StreamEntry | null)[]];
        for (const entry of entries) {
          if (entry) {
            this.dispatch(stream, entry[0], entry[1], true);
          }
        }
        cursor = next;
      } while (cursor !== '0-0');
    }
  }

  private async deliveryCount(stream: string, entryId: string): Promise<number> {
    const rows = (await this.redis.xpending(stream, this.service, entryId, entryId, 1)) as [
      string,
      string,
      number,
      number,
    ][];
    return rows[0]?.[3] ?? 0;
  }

  /** Event streams are read by several groups: trim below what every group has finished. */
  private async trimEventStreams(): Promise<void> {
    const requests = this.requestStream();
    for (const stream of this.streamsToRead()) {
      if (stream === requests) {
        continue;
      }
      const groups = (await this.redis.xinfo('GROUPS', stream)) as (string | number)[][];
      let safeId: string | undefined;
      for (const group of groups) {
        const info = Object.fromEntries(
          Array.from({ length: group.length / 2 }, (_, i) => [group[2 * i], group[2 * i + 1]]),
        ) as Record<string, string | number>;
        let boundary = String(info['last-delivered-id']);
        if (Number(info['pending']) > 0) {
          const [, smallest] = (await this.redis.xpending(stream, String(info['name']))) as [
            number,
            string,
          ];
          boundary = smallest;
        }
        if (safeId === undefined || compareStreamIds(boundary, safeId) < 0) {
          safeId = boundary;
        }
      }
      if (safeId && safeId !== '0-0') {
        await this.redis.xtrim(stream, 'MINID', '~', safeId);
      }
    }
  }

  // ---- groups and bookkeeping ------------------------------------------------------------

  private async ensureGroups(): Promise<void> {
    for (const stream of this.streamsToRead()) {
      try {
        await this.redis.xgroup('CREATE', stream, this.service, '$', 'MKSTREAM');
      } catch (error) {
        if (!isBusyGroupError(error)) {
          throw error;
        }
      }
    }
  }

  private async leaveGroups(): Promise<void> {
    const transaction = this.redis.multi();
    for (const stream of this.streamsToRead()) {
      transaction.xgroup('DELCONSUMER', stream, this.service, this.consumer);
    }
    transaction.zrem(this.keys.replicas(this.service), this.consumer);
    await transaction.exec();
  }

  private assertPatternsBelongToService(): void {
    for (const [pattern, handler] of this.messageHandlers) {
      if (!handler.isEventHandler && !pattern.startsWith(`${this.service}.`)) {
        throw new Error(
          `@MessagePattern('${pattern}') cannot be reached: patterns of the ${this.service} service start with "${this.service}."`,
        );
      }
    }
  }

  private release(stream: string, entryId: string): void {
    if (this.inFlight.get(stream)?.delete(entryId)) {
      this.inFlightCount--;
    }
    this.slotWaiters.shift()?.();
  }

  private waitForFreeSlot(): Promise<void> {
    if (this.inFlightCount < this.maxInFlight) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private async drainInFlight(limitMs: number): Promise<void> {
    const until = Date.now() + limitMs;
    while (this.inFlightCount > 0 && Date.now() < until) {
      await sleep(20);
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.closing) {
        return;
      }
      running = true;
      task()
        .catch((error: unknown) => this.warn('periodic transport task failed', error))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private warn(message: string, error?: unknown): void {
    if (this.options.logger) {
      this.options.logger.warn({ err: error, consumer: this.consumer }, message);
    } else {
      this.logger.warn(`${message}${error ? `: ${String(error)}` : ''}`);
    }
  }
}

function lostValueError() {
  return transportError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'part of the streamed reply was lost while the message bus (Redis) was unavailable',
  );
}

/** Orders stream ids `ms-seq` numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt);
  const [bMs, bSeq] = b.split('-').map(BigInt);
  if (aMs !== bMs) {
    return aMs < bMs ? -1 : 1;
  }
  if (aSeq !== bSeq) {
    return aSeq < bSeq ? -1 : 1;
  }
  return 0;
}
