import { setTimeout as sleep } from 'node:timers/promises';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { BroadcastEvictedCache, RedisStreamsClient } from '../../src';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = process.env.REDIS_PREFIX ?? `tbtest:${process.pid}`;
const PATTERN = 'test.changed';
let testNumber = 0;

interface Account {
  id: string;
  tenant: string;
  version: number;
}

/** Every process that listens gets a broadcast; a second client plays the publishing service. */
describe('BroadcastEvictedCache (real Redis pub/sub)', () => {
  let clients: RedisStreamsClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
  });

  async function setup(ttlMs = 60_000) {
    testNumber += 1;
    const prefix = `${runPrefix}:bcast${testNumber}`;
    const [listener, publisher] = [0, 1].map(
      () => new RedisStreamsClient({ name: 'test', redisUrl, prefix }),
    );
    clients.push(listener, publisher);
    const cache = new BroadcastEvictedCache<Account>(listener, {
      pattern: PATTERN,
      ttlMs,
      maxEntries: 100,
      isStale: (account, event) => (event as { tenant: string }).tenant === account.tenant,
    });
    await cache.start();
    /** The loads each key went through, and the version the source holds now. */
    const loads = new Map<string, number>();
    const source = new Map<string, Account>();
    const load = (id: string) => async () => {
      loads.set(id, (loads.get(id) ?? 0) + 1);
      const account = source.get(id);
      if (!account) {
        throw new Error(`${id} is gone`);
      }
      return { ...account };
    };
    const broadcast = async (tenant: string) => {
      await publisher.broadcast(PATTERN, { tenant });
      await sleep(100); // delivered in well under a millisecond on loopback
    };
    return { cache, loads, source, load, broadcast, listener };
  }

  it('serves a value from the cache until a broadcast about it arrives, then loads it again', async () => {
    const { cache, loads, source, load, broadcast } = await setup();
    source.set('a', { id: 'a', tenant: 'acme', version: 1 });
    source.set('b', { id: 'b', tenant: 'globex', version: 1 });
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    source.set('a', { id: 'a', tenant: 'acme', version: 2 });
    source.set('b', { id: 'b', tenant: 'globex', version: 2 });

    expect((await cache.get('a', load('a'))).version).toBe(1);
    await broadcast('acme');
    expect((await cache.get('a', load('a'))).version).toBe(2);
    // Another tenant's entry stayed.
    expect((await cache.get('b', load('b'))).version).toBe(1);
    expect(loads).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });

  it('does not store a load that was in flight when a broadcast arrived', async () => {
    const { cache, loads, source, load, broadcast } = await setup();
    source.set('a', { id: 'a', tenant: 'acme', version: 1 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = cache.get('a', async () => {
      const value = await load('a')(); // read before the change...
      await gate; // ...answered after it
      return value;
    });
    source.set('a', { id: 'a', tenant: 'acme', version: 2 });
    await broadcast('acme');
    release();
    expect((await slow).version).toBe(1);
    expect((await cache.get('a', load('a'))).version).toBe(2);
    expect(loads.get('a')).toBe(2);
  });

  it('shares one load between concurrent misses, and never stores a failure', async () => {
    const { cache, loads, source, load } = await setup();
    const refused = await Promise.allSettled([
      cache.get('x', load('x')),
      cache.get('x', load('x')),
    ]);
    expect(refused.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(loads.get('x')).toBe(1);
    source.set('x', { id: 'x', tenant: 'acme', version: 1 });
    expect((await cache.get('x', load('x'))).version).toBe(1);
    expect(loads.get('x')).toBe(2);
  });

  it('keeps an entry no longer than the TTL or the validity the loader gives', async () => {
    const { cache, loads, source, load } = await setup(300);
    source.set('a', { id: 'a', tenant: 'acme', version: 1 });
    source.set('b', { id: 'b', tenant: 'acme', version: 1 });
    await cache.get('a', load('a'));
    await cache.get('b', load('b'), () => 50);
    await sleep(120);
    await cache.get('a', load('a'));
    await cache.get('b', load('b'), () => 50);
    expect([loads.get('a'), loads.get('b')]).toEqual([1, 2]);
    await sleep(350);
    await cache.get('a', load('a'));
    expect(loads.get('a')).toBe(2);
  });

  it('drops everything when its subscription drops, and caches again once it is back', async () => {
    const { cache, loads, source, load, listener, broadcast } = await setup();
    source.set('a', { id: 'a', tenant: 'acme', version: 1 });
    await cache.get('a', load('a'));
    expect(cache.size).toBe(1);

    // Kill this cache's own subscriber connection only (found by its connection name).
    const admin = new Redis(redisUrl);
    try {
      const name = `${listener.clientId}:bcast`.replace(/[^A-Za-z0-9:_.-]/g, '_');
      const line = String(await admin.client('LIST'))
        .split('\n')
        .find((entry) => entry.includes(` name=${name} `));
      const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
      expect(id).toBeDefined();
      await admin.client('KILL', 'ID', String(id));
    } finally {
      admin.disconnect();
    }
    for (let i = 0; i < 50 && cache.size > 0; i++) {
      await sleep(20);
    }
    expect(cache.size).toBe(0);

    for (let i = 0; i < 100 && !listener.hearsBroadcasts; i++) {
      await sleep(20);
    }
    expect(listener.hearsBroadcasts).toBe(true);
    await cache.get('a', load('a'));
    await cache.get('a', load('a'));
    expect(loads.get('a')).toBe(2);
    expect(cache.size).toBe(1);
    await broadcast('acme'); // resubscribed: broadcasts evict again
    expect(cache.size).toBe(0);
  });

  it('caches nothing with a TTL of 0', async () => {
    const { cache, loads, source, load } = await setup(0);
    source.set('a', { id: 'a', tenant: 'acme', version: 1 });
    await cache.get('a', load('a'));
    await cache.get('a', load('a'));
    expect(loads.get('a')).toBe(2);
    expect(cache.size).toBe(0);
  });
});
