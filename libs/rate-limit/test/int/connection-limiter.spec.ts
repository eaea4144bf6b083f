import { randomUUID } from 'node:crypto';

import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { ConnectionLimiter } from '../../src';

describe('ConnectionLimiter (real Redis)', () => {
  const prefix = `${process.env.REDIS_PREFIX ?? 'tbtest'}:connections-spec`;
  // Two clients, as two gateway replicas would have.
  const redisA = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const redisB = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const replicaA = new ConnectionLimiter(redisA, prefix);
  const replicaB = new ConnectionLimiter(redisB, prefix);

  afterAll(() => Promise.all([redisA.quit(), redisB.quit()]));

  const slotsOf = (user: string, tenant: string, perUser: number, perTenant: number) => [
    { subject: `user:${user}`, max: perUser, label: 'user or API key' },
    { subject: `tenant:${tenant}`, max: perTenant, label: 'tenant' },
  ];

  it('holds a cap across replicas, all or nothing, and frees a place on release', async () => {
    const [alice, bob, tenant] = [randomUUID(), randomUUID(), randomUUID()];
    const first = await replicaA.acquire(slotsOf(alice, tenant, 2, 3), 'c1', 30);
    await replicaB.acquire(slotsOf(alice, tenant, 2, 3), 'c2', 30);

    const third = replicaA.acquire(slotsOf(alice, tenant, 2, 3), 'c3', 30);
    await expect(third).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'too many open connections of this user or API key (at most 2)',
      details: { limit: 2, open: 2, retry_after_s: 10 },
    });
    // The refused connection took no place on the tenant either.
    expect(await replicaA.openCount(`tenant:${tenant}`)).toBe(2);

    await replicaB.acquire(slotsOf(bob, tenant, 2, 3), 'c4', 30);
    await expect(replicaB.acquire(slotsOf(bob, tenant, 2, 3), 'c5', 30)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'too many open connections of this tenant (at most 3)',
    });

    await first.release();
    expect(await replicaB.openCount(`user:${alice}`)).toBe(1);
    await expect(replicaB.acquire(slotsOf(bob, tenant, 2, 3), 'c5', 30)).resolves.toBeDefined();
  });

  it('stops counting the connections of a replica that stopped renewing them', async () => {
    const [user, tenant] = [randomUUID(), randomUUID()];
    const renewed = await replicaA.acquire(slotsOf(user, tenant, 2, 10), 'alive', 1);
    await replicaB.acquire(slotsOf(user, tenant, 2, 10), 'dead', 1);
    await expect(replicaA.acquire(slotsOf(user, tenant, 2, 10), 'new', 1)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });

    for (let tick = 0; tick < 4; tick++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await renewed.renew();
    }

    expect(await replicaA.openCount(`user:${user}`)).toBe(1);
    await expect(replicaA.acquire(slotsOf(user, tenant, 2, 10), 'new', 1)).resolves.toBeDefined();
  });

  it('keeps one tenant’s connections out of another’s count', async () => {
    const [tenantA, tenantB] = [randomUUID(), randomUUID()];
    await replicaA.acquire(slotsOf(randomUUID(), tenantA, 5, 1), 'a1', 30);
    await expect(replicaA.acquire(slotsOf(randomUUID(), tenantA, 5, 1), 'a2', 30)).rejects.toThrow(
      /tenant/,
    );
    await expect(
      replicaB.acquire(slotsOf(randomUUID(), tenantB, 5, 1), 'b1', 30),
    ).resolves.toBeDefined();
    expect(await replicaB.openCount(`tenant:${tenantB}`)).toBe(1);
  });
});
