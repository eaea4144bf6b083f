import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { defer, lastValueFrom, mergeMap, Observable } from 'rxjs';

import {
  DomainError,
  type ErrorBody,
  ErrorCode,
  type EventOf,
  type EventPatternName,
  type ReplyOf,
  type RequestPattern,
  serviceOfPattern,
} from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

import type { MessageClient, OutsideTheEvents, OutsideTheMap, RequestArgs } from './message-client';
import {
  type CallOptions,
  heartbeatIntervalMs,
  type StreamsTransportOptions,
  TRANSPORT_DEFAULTS,
} from './options';
import { createRedisConnection, sleep } from './redis-connection';
import { StreamKeys } from './stream-keys';
import {
  decodeEntry,
  encode,
  type ReplyEnvelope,
  type RequestEnvelope,
  transportError,
} from './wire';

type StreamReadResult = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export interface BroadcastListener {
  received(data: unknown): void;
  /** The subscription was down for a while: broadcasts may have been missed. */
  missed(): void;
}

function parseBroadcast(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return undefined;
  }
}

/** Reply streams of clients that vanish expire after this long without a refresh. */
const REPLY_STREAM_TTL_S = 300;

/**
 * Replies already read are trimmed from the reply stream in the background, this long after
 * the first of them, or at once when this many wait: one XTRIM per batch instead of a command
 * (a syscall, and a wake-up of Redis) per reply.
 */
const REPLY_TRIM_DELAY_MS = 100;
const REPLY_TRIM_BATCH = 256;

/**
 * The calling side of the Redis Streams transport. One instance per process is enough: the
 * pattern `<service>.<action>` names the service's request stream, and all replies come back
 * on this instance's own reply stream.
 */
export class RedisStreamsClient extends ClientProxy implements MessageClient {
  readonly clientId: string;
  private readonly keys: StreamKeys;
  private readonly replyStream: string;
  private readonly timeoutMs: number;
  private commands?: Redis;
  private reader?: Redis;
  private connecting?: Promise<void>;
  private closing = false;
  private lastReplyId = '0-0';
  private untrimmedReplies = 0;
  private trimTimer?: NodeJS.Timeout;
  private readLoop?: Promise<void>;
  private refreshTimer?: NodeJS.Timeout;
  private subscriber?: Redis;
  private subscribing?: Promise<Redis>;
  private readonly broadcastListeners = new Map<string, BroadcastListener[]>();

  constructor(private readonly options: StreamsTransportOptions & { name?: string }) {
    super();
    this.keys = new StreamKeys(options.prefix);
    this.timeoutMs = options.timeoutMs ?? TRANSPORT_DEFAULTS.timeoutMs;
    this.clientId = `${options.name ?? 'client'}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.replyStream = this.keys.replies(this.clientId);
  }

  connect(): Promise<void> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  async close(): Promise<void> {
    if (this.closing) {
      return;
    }
    this.closing = true;
    clearInterval(this.refreshTimer);
    clearTimeout(this.trimTimer);
    this.reader?.disconnect();
    this.subscriber?.disconnect();
    await this.readLoop;
    if (this.commands) {
      await this.commands.del(this.replyStream).catch(() => undefined);
      await this.commands.quit().catch(() => undefined);
    }
  }

  private get redis(): Redis {
    if (!this.commands) {
      throw new Error('the transport client is not connected');
    }
    return this.commands;
  }

  private get blockingReader(): Redis {
    if (!this.reader) {
      throw new Error('the transport client is not connected');
    }
    return this.reader;
  }

  unwrap<T>(): T {
    return this.commands as T;
  }

  /** Sends a request; the Observable carries every value of the reply, then completes. */
  call<P extends RequestPattern>(pattern: P, ...args: RequestArgs<P>): Observable<ReplyOf<P>>;
  /** A pattern outside the message map (a test's own service): its reply is not typed. */
  call<P extends string>(
    pattern: OutsideTheMap<P>,
    data?: unknown,
    options?: CallOptions,
  ): Observable<unknown>;
  call(pattern: string, data: unknown = {}, options: CallOptions = {}): Observable<unknown> {
    return this.observe(pattern, data, options);
  }

  /** Sends a request and resolves with its reply (the last value of a streamed reply). */
  request<P extends RequestPattern>(pattern: P, ...args: RequestArgs<P>): Promise<ReplyOf<P>>;
  /** A pattern outside the message map (a test's own service): its reply is not typed. */
  request<P extends string>(
    pattern: OutsideTheMap<P>,
    data?: unknown,
    options?: CallOptions,
  ): Promise<unknown>;
  request(pattern: string, data: unknown = {}, options: CallOptions = {}): Promise<unknown> {
    return lastValueFrom(this.observe(pattern, data, options));
  }

  /**
   * For tests of refused input only: sends any body, even one the message map forbids, to any
   * pattern, so a test can prove the service answers it with a 4xx. The reply is `unknown`.
   */
  requestUnchecked(pattern: string, data: unknown, options: CallOptions = {}): Promise<unknown> {
    return lastValueFrom(this.observe(pattern, data, options));
  }

  /**
   * Nest's `ClientProxy` entry point, for Nest itself: its generic signature is Nest's contract
   * and cannot be narrowed in an override. Our code calls `request` or `call`, which the message
   * map types; nothing of ours calls `send`.
   */
  override send<TResult = unknown, TInput = unknown>(pattern: string, data: TInput) {
    return this.observe(pattern, data, {}) as Observable<TResult>;
  }

  private observe(pattern: string, data: unknown, options: CallOptions): Observable<unknown> {
    return defer(() => this.connect()).pipe(
      mergeMap(
        () =>
          new Observable<unknown>((observer) =>
            this.publishRequest(pattern, data, options, this.createObserver(observer)),
          ),
      ),
    );
  }

  /** Whether any replica of the service sent a heartbeat recently. */
  async hasLiveReplica(service: string): Promise<boolean> {
    await this.connect();
    const window =
      4 * heartbeatIntervalMs(this.options.claimIdleMs ?? TRANSPORT_DEFAULTS.claimIdleMs);
    const live = await this.redis.zcount(this.keys.replicas(service), Date.now() - window, '+inf');
    return live > 0;
  }

  /**
   * Sends a message to every process listening to the pattern right now (Redis pub/sub):
   * nothing is kept for a process that is not, so use it where a miss is harmless or covered,
   * such as evicting cache entries that also expire.
   */
  broadcast<E extends EventPatternName>(pattern: E, data: EventOf<E>): Promise<void>;
  /** A pattern outside the event map (a test's own): what it carries is not typed. */
  broadcast<P extends string>(pattern: OutsideTheEvents<P>, data: unknown): Promise<void>;
  async broadcast(pattern: string, data: unknown): Promise<void> {
    await this.connect();
    await this.redis.publish(this.keys.broadcasts(pattern), JSON.stringify(data));
  }

  /**
   * Calls `listener.received` with every broadcast of the pattern, and `listener.missed` each
   * time the subscription came back after a disconnection, when some may have been lost.
   */
  async onBroadcast(pattern: string, listener: BroadcastListener): Promise<void> {
    const channel = this.keys.broadcasts(pattern);
    const listeners = this.broadcastListeners.get(channel) ?? [];
    this.broadcastListeners.set(channel, [...listeners, listener]);
    const subscriber = await this.broadcastSubscriber();
    if (listeners.length === 0) {
      await subscriber.subscribe(channel);
    }
  }

  /** Whether broadcasts are being received right now (a cache should not fill while not). */
  get hearsBroadcasts(): boolean {
    return this.subscriber?.status === 'ready';
  }

  private broadcastSubscriber(): Promise<Redis> {
    this.subscribing ??= (async () => {
      const { redisUrl, redisPassword } = this.options;
      const subscriber = createRedisConnection(
        redisUrl,
        `${this.clientId}:bcast`,
        'subscriber',
        redisPassword,
      );
      this.subscriber = subscriber;
      subscriber.on('error', () => undefined); // it reconnects and resubscribes by itself
      subscriber.on('message', (channel: string, message: string) => {
        const data = parseBroadcast(message);
        if (data === undefined) {
          return;
        }
        for (const listener of this.broadcastListeners.get(channel) ?? []) {
          listener.received(data);
        }
      });
      const missed = () => {
        for (const listener of [...this.broadcastListeners.values()].flat()) {
          listener.missed();
        }
      };
      let connectedBefore = false;
      subscriber.on('close', missed);
      subscriber.on('ready', () => {
        if (connectedBefore) {
          missed();
        }
        connectedBefore = true;
      });
      await subscriber.connect();
      return subscriber;
    })();
    return this.subscribing;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    return this.publishRequest(String(packet.pattern), packet.data, {}, callback);
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = String(packet.pattern);
    const envelope: RequestEnvelope = {
      id: randomUUID(),
      pattern,
      data: packet.data,
      context: currentContext(),
    };
    await this.append(this.keys.events(pattern), envelope);
    return undefined as T;
  }

  protected override serializeError(err: ErrorBody): DomainError {
    return DomainError.fromBody(err);
  }

  /** Appends a message to a stream, trimmed to about its maximum length. */
  private append(stream: string, envelope: RequestEnvelope): Promise<string | null> {
    return this.redis.xadd(
      stream,
      'MAXLEN',
      '~',
      this.options.maxStreamLength ?? TRANSPORT_DEFAULTS.maxStreamLength,
      '*',
      'm',
      encode(envelope),
    );
  }

  private publishRequest(
    pattern: string,
    data: unknown,
    options: CallOptions,
    callback: (packet: WritePacket) => void,
  ): () => void {
    const service = serviceOfPattern(pattern);
    const id = randomUUID();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let timer = setTimeout(() => void this.expire(id, service, callback), timeoutMs);
    let producer: string | undefined;

    this.routingMap.set(id, (reply: ReplyEnvelope) => {
      clearTimeout(timer);
      if (producer && reply.by !== producer) {
        // A second replica re-ran a streamed reply after the first one died: the values
        // already delivered cannot be taken back, so the stream fails instead of repeating.
        this.routingMap.delete(id);
        return callback({
          err: transportError(
            ErrorCode.SERVICE_UNAVAILABLE,
            'the replica serving this stream died',
          ),
          isDisposed: true,
        });
      }
      producer = reply.by;
      if (reply.isDisposed || reply.err) {
        this.routingMap.delete(id);
      } else {
        timer = setTimeout(() => void this.expire(id, service, callback), timeoutMs);
      }
      callback({ response: reply.response, err: reply.err, isDisposed: reply.isDisposed });
    });

    const envelope: RequestEnvelope = {
      id,
      pattern,
      data,
      replyTo: this.replyStream,
      deadline: Date.now() + timeoutMs,
      context: currentContext(),
    };
    this.append(this.keys.requests(service), envelope).catch(() => {
      if (!this.routingMap.delete(id)) {
        return;
      }
      clearTimeout(timer);
      callback({
        err: transportError(
          ErrorCode.SERVICE_UNAVAILABLE,
          'the message bus (Redis) is unreachable',
        ),
        isDisposed: true,
      });
    });

    return () => {
      // Unsubscribed before the reply ended: tell the replica to stop producing it.
      if (!this.routingMap.delete(id)) {
        return;
      }
      clearTimeout(timer);
      this.commands?.publish(this.keys.cancellations(service), id).catch(() => undefined);
    };
  }

  private async expire(id: string, service: string, callback: (packet: WritePacket) => void) {
    if (!this.routingMap.delete(id)) {
      return;
    }
    const alive = await Promise.race([
      this.hasLiveReplica(service).catch(() => false),
      sleep(100).then(() => false),
    ]);
    callback({
      err: alive
        ? transportError(ErrorCode.TIMEOUT, `${service} did not answer in time`)
        : transportError(ErrorCode.SERVICE_UNAVAILABLE, `no replica of ${service} is running`),
      isDisposed: true,
    });
  }

  private async open(): Promise<void> {
    const url = this.options.redisUrl;
    const password = this.options.redisPassword;
    this.commands = createRedisConnection(url, `${this.clientId}:cmd`, 'commands', password);
    this.reader = createRedisConnection(url, `${this.clientId}:read`, 'blocking', password);
    for (const connection of [this.commands, this.reader]) {
      connection.on('error', () => undefined); // reconnection is automatic; calls report failures
    }
    await Promise.all([this.commands.connect(), this.reader.connect()]);
    await this.createReplyStream();
    // After a Redis restart the reply stream is gone: create it again and read from its start.
    this.commands.on('ready', () => {
      this.lastReplyId = '0-0';
      void this.createReplyStream().catch(() => undefined);
    });
    this.refreshTimer = setInterval(
      () => {
        void this.commands?.expire(this.replyStream, REPLY_STREAM_TTL_S).catch(() => undefined);
      },
      (REPLY_STREAM_TTL_S * 1000) / 3,
    );
    this.refreshTimer.unref();
    this.readLoop = this.readReplies();
  }

  private async createReplyStream(): Promise<void> {
    // An empty stream exists only with a group; the group itself is never read.
    await this.redis
      .multi()
      .xgroup('CREATE', this.replyStream, 'owner', '$', 'MKSTREAM')
      .expire(this.replyStream, REPLY_STREAM_TTL_S)
      .exec();
  }

  private async readReplies(): Promise<void> {
    while (!this.closing) {
      let result: StreamReadResult;
      try {
        result = (await this.blockingReader.xread(
          'COUNT',
          1000,
          'BLOCK',
          TRANSPORT_DEFAULTS.blockMs,
          'STREAMS',
          this.replyStream,
          this.lastReplyId,
        )) as StreamReadResult;
      } catch {
        if (this.closing) {
          break;
        }
        await sleep(200);
        continue;
      }
      const entries = result?.[0]?.[1] ?? [];
      for (const [entryId, fields] of entries) {
        this.lastReplyId = entryId;
        const reply = decodeEntry<ReplyEnvelope>(fields);
        if (reply) {
          this.routingMap.get(reply.id)?.(reply);
        }
      }
      this.trimRepliesRead(entries.length);
    }
  }

  private trimRepliesRead(read: number): void {
    this.untrimmedReplies += read;
    if (this.untrimmedReplies >= REPLY_TRIM_BATCH) {
      this.trimNow();
    } else if (this.untrimmedReplies > 0 && !this.trimTimer) {
      this.trimTimer = setTimeout(() => this.trimNow(), REPLY_TRIM_DELAY_MS);
      this.trimTimer.unref();
    }
  }

  /** Deletes the replies before the last one read (XREAD goes on after that one). */
  private trimNow(): void {
    clearTimeout(this.trimTimer);
    this.trimTimer = undefined;
    this.untrimmedReplies = 0;
    this.commands?.xtrim(this.replyStream, 'MINID', this.lastReplyId).catch(() => undefined);
  }
}
