import { randomUUID } from 'node:crypto';

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
    const hourKey = `${prefix}:rl:1000/3600:tenant:${tenant}`;
    expect(await redisA.get(hourKey)).toBe('3');
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
    expect(await redisA.get(`${prefix}:rl:100/60:tenant:${tenant}`)).toBe('3');
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
