import { LRUCache } from 'lru-cache';

/**
 * Tokens one replica counted ahead on one Redis counter (ADR 0042): already part of the
 * shared count, so spending them here needs no round trip and can never exceed the limit.
 */
interface Lease {
  /** Tokens still to spend here. */
  left: number;
  /** The counter's value right after the lease was counted: the lease's last position. */
  countedThrough: number;
  /** When the counter's window ends (its key expires); the lease ends with it. */
  windowEndsAt: number;
}

/** Where one request stands on one counter: its position in the window, and when it ends. */
export interface CounterPosition {
  position: number;
  windowEndsAt: number;
}

/** Counters with a lease held at once; the least recently used are forgotten first. */
const MAX_LEASED_COUNTERS = 100_000;

/** The leases of one process, by counter key. */
export class CounterLeases {
  private readonly leases = new LRUCache<string, Lease>({ max: MAX_LEASED_COUNTERS });
  /** Counters whose lease is being taken: one take at a time per counter and process. */
  private readonly taking = new Set<string>();

  /** Counts one request on the counter's lease, if it holds a token for the current window. */
  spend(key: string, now: number): CounterPosition | undefined {
    const lease = this.leases.get(key);
    if (!lease || lease.left === 0 || now >= lease.windowEndsAt) {
      return undefined;
    }
    const position = lease.countedThrough - lease.left + 1;
    lease.left -= 1;
    return { position, windowEndsAt: lease.windowEndsAt };
  }

  /**
   * Whether this request may ask for a lease on the counter: not while another request of this
   * process is taking one, so a burst takes one lease, not one per request. Then end it with
   * `taken` or `notTaken`.
   */
  startTaking(key: string): boolean {
    if (this.taking.has(key)) {
      return false;
    }
    this.taking.add(key);
    return true;
  }

  /** Ends a take without a lease (none was granted, or the call failed). */
  notTaken(key: string): void {
    this.taking.delete(key);
  }

  /**
   * Ends a take: keeps the `tokens` Redis counted ahead, through `countedThrough`. The lease it
   * replaces holds none (a take starts only when the lease ran out) or belongs to a window
   * that has ended.
   */
  taken(key: string, tokens: number, countedThrough: number, windowEndsAt: number): void {
    this.taking.delete(key);
    this.leases.set(key, { left: tokens, countedThrough, windowEndsAt });
  }
}
