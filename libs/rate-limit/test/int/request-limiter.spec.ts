import { randomUUID } from 'node:crypto';
import { once } from 'node:events';

import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { type Limit, RequestLimiter } from '../../src';

describe('RequestLimiter (real Redis)', () => {
  const prefix = `${process.env.REDIS_PREFIX ?? 'tbtest'}:request-limiter-spec`;
  // Two clients, as two gateway replicas would have.
  const redisA = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const redisB = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const replicaA = new RequestLimiter(redisA, prefix);
  const replicaB = new RequestLimiter(redisB, prefix);

  afterAll(() => Promise.all([redisA.quit(), redisB.quit()]));

  const limitsOf = (tenant: string, key: string, perTenant: number, perKey: number): Limit[] => [
    { subject: `tenant:${tenant}`, points: perTenant, windowSeconds: 60 },
    { subject: `tenant:${tenant}`, points: 1000, windowSeconds: 3600 },
    { subject: `key:${key}`, points: perKey, windowSeconds: 60 },
  ];

  it('counts every limit across replicas and reports the one closest to running out', async () => {
    const [tenant, key] = [randomUUID(), randomUUID()];
    const first = await replicaA.consume(limitsOf(tenant, key, 5, 3));
    expect(first).toEqual({ limit: 3, remaining: 2, resetSeconds: 60 });
    const second = await replicaB.consume(limitsOf(tenant, key, 5, 3));
    expect(second).toMatchObject({ limit: 3, remaining: 1 });

    // Another key of the same tenant: its own counter, the tenant's shared one.
    const other = await replicaA.consume(limitsOf(tenant, randomUUID(), 5, 3));
    expect(other).toMatchObject({ limit: 5, remaining: 2 });
    // Far from its limit, the hour's counter also holds each replica's lease (ADR 0042): A
    // counted 1 + 62 (a sixteenth of the 999 left), B 1 + 58; A's third request spent a token.
    const hourKey = `${prefix}:rl:1000/3600:tenant:${tenant}`;
    expect(await redisA.get(hourKey)).toBe('122');
    expect(await redisA.ttl(hourKey)).toBeGreaterThan(3590);
  });

  it('refuses the request over a limit with RATE_LIMITED and when to retry', async () => {
    const [tenant, key] = [randomUUID(), randomUUID()];
    await replicaA.consume(limitsOf(tenant, key, 100, 2));
    await replicaB.consume(limitsOf(tenant, key, 100, 2));
    const refused = replicaA.consume(limitsOf(tenant, key, 100, 2));
    await expect(refused).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'rate limit of 2 requests per minute exceeded',
      details: { limit: 2, remaining: 0, retry_after_s: 60, reset_s: 60 },
    });
    // A refused request still counts, on every limit, as each replica counts every attempt.
    expect(await redisA.get(`${prefix}:rl:2/60:key:${key}`)).toBe('3');
    // The tenant's counter, far from its limit, holds A's lease (1 + 6) and B's (1 + 5): the
    // refused request spent one of A's tokens.
    expect(await redisA.get(`${prefix}:rl:100/60:tenant:${tenant}`)).toBe('13');
    await expect(replicaA.consume(limitsOf(tenant, randomUUID(), 100, 2))).resolves.toMatchObject({
      limit: 2,
      remaining: 1,
    });
    expect(await redisA.get(`${prefix}:rl:100/60:tenant:${tenant}`)).toBe('13');
  });

  it('admits from a lease without a round trip far from the limit, positions exact', async () => {
    const limits = [{ subject: `key:${randomUUID()}`, points: 1000, windowSeconds: 60 }];
    const counter = `${prefix}:rl:1000/60:${limits[0].subject}`;
    await expect(replicaA.consume(limits)).resolves.toMatchObject({ remaining: 999 });
    expect(await redisA.get(counter)).toBe(String(1 + 62));
    const remaining: number[] = [];
    for (let i = 0; i < 10; i++) {
      remaining.push((await replicaA.consume(limits)).remaining);
    }
    expect(remaining).toEqual([998, 997, 996, 995, 994, 993, 992, 991, 990, 989]);
    expect(await redisA.get(counter)).toBe(String(1 + 62)); // nothing sent to Redis
  });

  it('takes one lease for a burst, not one per request', async () => {
    const limits = [{ subject: `key:${randomUUID()}`, points: 1000, windowSeconds: 60 }];
    await Promise.all(Array.from({ length: 50 }, () => replicaA.consume(limits)));
    // The first request took 62 tokens; the other 49, sent while it was on its way, none.
    expect(await redisA.get(`${prefix}:rl:1000/60:${limits[0].subject}`)).toBe(String(50 + 62));
  });

  it('counts every request in Redis near a limit', async () => {
    const limits = [{ subject: `key:${randomUUID()}`, points: 16, windowSeconds: 60 }];
    for (let i = 0; i < 5; i++) {
      await (i % 2 ? replicaB : replicaA).consume(limits);
    }
    expect(await redisA.get(`${prefix}:rl:16/60:${limits[0].subject}`)).toBe('5');
  });

  it('never admits more than the limit across replicas, and admits all of it', async () => {
    const limits = [{ subject: `key:${randomUUID()}`, points: 500, windowSeconds: 60 }];
    let admitted = 0;
    let refused = 0;
    for (let wave = 0; wave < 8; wave++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? replicaB : replicaA).consume(limits)),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') {
          admitted++;
        } else {
          expect(outcome.reason).toMatchObject({ code: 'RATE_LIMITED' });
          refused++;
        }
      }
    }
    // The leases were spent before any request was refused for good: exactly the limit.
    expect(admitted).toBe(500);
    expect(refused).toBe(300);
  });

  it('ends a lease with its window', async () => {
    const subject = `key:${randomUUID()}`;
    const limits = [{ subject, points: 1000, windowSeconds: 1 }];
    await replicaA.consume(limits);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Its 62 tokens belonged to the window that ended: the new one counts afresh in Redis.
    await expect(replicaA.consume(limits)).resolves.toEqual({
      limit: 1000,
      remaining: 999,
      resetSeconds: 1,
    });
    expect(await redisA.get(`${prefix}:rl:1000/1:${subject}`)).toBe(String(1 + 62));
  });

  it('leaves no take behind when the call fails: the next request takes the lease', async () => {
    const offline = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    const replicaC = new RequestLimiter(offline, prefix);
    const limits = [{ subject: `key:${randomUUID()}`, points: 1000, windowSeconds: 60 }];
    // Not connected yet, and no offline queue: the first call fails at once.
    await expect(replicaC.consume(limits)).rejects.toThrow();
    if (offline.status !== 'ready') {
      await once(offline, 'ready');
    }
    try {
      await expect(replicaC.consume(limits)).resolves.toMatchObject({ remaining: 999 });
      expect(await offline.get(`${prefix}:rl:1000/60:${limits[0].subject}`)).toBe(String(1 + 62));
    } finally {
      await offline.quit();
    }
  });

  it("does not count one tenant's requests against another's", async () => {
    const [tenantA, tenantB, keyA, keyB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await replicaA.consume(limitsOf(tenantA, keyA, 1, 10));
    await expect(replicaA.consume(limitsOf(tenantA, keyA, 1, 10))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await expect(replicaB.consume(limitsOf(tenantB, keyB, 1, 10))).resolves.toMatchObject({
      limit: 1,
      remaining: 0,
    });
  });

  it('starts a new window when the old one ends', async () => {
    const subject = `key:${randomUUID()}`;
    const limits = [{ subject, points: 1, windowSeconds: 1 }];
    await replicaA.consume(limits);
    await expect(replicaA.consume(limits)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(replicaB.consume(limits)).resolves.toEqual({
      limit: 1,
      remaining: 0,
      resetSeconds: 1,
    });
  });
});
