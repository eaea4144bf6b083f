import { LRUCache } from 'lru-cache';

import type { RedisStreamsClient } from './streams.client';

export interface BroadcastEvictedCacheOptions<V> {
  /** The broadcast pattern whose messages make entries stale. */
  pattern: string;
  /** Safety net for a lost broadcast: no entry lives longer than this. 0 disables the cache. */
  ttlMs: number;
  maxEntries: number;
  /** Whether the broadcast `event` makes `value` stale. */
  isStale(value: V, event: unknown): boolean;
}

interface Load<V> {
  generation: number;
  promise: Promise<V>;
}

/**
 * A per-process cache of values another service owns, evicted by that service's broadcasts
 * (ADR caller cache):
 *
 * - an entry lives at most `ttlMs`, or less when the loader says so;
 * - a broadcast evicts the entries it makes stale, and a load that was in flight when any
 *   broadcast arrived is not stored (it may have read the state before the change);
 * - nothing is stored while broadcasts are not being received, and everything is dropped when
 *   the subscription drops, since broadcasts may have been missed;
 * - concurrent misses of one key share one load; failures are never stored.
 */
export class BroadcastEvictedCache<V extends object> {
  private readonly entries?: LRUCache<string, V>;
  private readonly loads = new Map<string, Load<V>>();
  /** Counts broadcasts and gaps; a load is stored only if none arrived while it ran. */
  private generation = 0;

  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly options: BroadcastEvictedCacheOptions<V>,
  ) {
    if (options.ttlMs > 0) {
      this.entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    }
  }

  /** Subscribes to the evicting broadcasts; call once before using the cache. */
  async start(): Promise<void> {
    if (!this.entries) {
      return;
    }
    await this.transport.onBroadcast(this.options.pattern, {
      received: (event) => this.evict(event),
      missed: () => this.clear(),
    });
  }

  /**
   * The cached value of `key`, or `load()`'s, stored for at most `ttlMs` (or `validForMs`
   * of the loaded value when it says less).
   */
  async get(
    key: string,
    load: () => Promise<V>,
    validForMs: (value: V) => number = () => Infinity,
  ): Promise<V> {
    if (!this.entries) {
      return load();
    }
    const cached = this.entries.get(key);
    if (cached) {
      return cached;
    }
    const pending = this.loads.get(key);
    if (pending?.generation === this.generation) {
      return pending.promise;
    }

    const generation = this.generation;
    const promise = load();
    this.loads.set(key, { generation, promise });
    try {
      const value = await promise;
      const ttl = Math.min(this.options.ttlMs, validForMs(value));
      if (generation === this.generation && this.transport.hearsBroadcasts && ttl > 0) {
        this.entries.set(key, value, { ttl });
      }
      return value;
    } finally {
      if (this.loads.get(key)?.promise === promise) {
        this.loads.delete(key);
      }
    }
  }

  clear(): void {
    this.generation++;
    this.loads.clear();
    this.entries?.clear();
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /**
   * Evicts what `event` makes stale, as its broadcast would: for the process that made the
   * change, which must not wait for its own broadcast to come back.
   */
  evict(event: unknown): void {
    if (!this.entries) {
      return;
    }
    this.generation++;
    this.loads.clear();
    for (const [key, value] of this.entries.entries()) {
      if (this.options.isStale(value, event)) {
        this.entries.delete(key);
      }
    }
  }
}
