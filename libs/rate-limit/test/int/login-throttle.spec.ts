import { randomUUID } from 'node:crypto';

import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';

import { clientKey, LoginThrottle } from '../../src';

describe('clientKey', () => {
  it('counts IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('')).toBe('unknown');
  });
});

describe('LoginThrottle (real Redis)', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const throttle = () =>
    new LoginThrottle(redis, {
      keyPrefix: `${process.env.REDIS_PREFIX ?? 'tbtest'}:login-spec:${randomUUID()}`,
      failuresPerIp: 4,
      ipWindowSeconds: 60,
      failuresPerAccountAndIp: 2,
      blockSeconds: 30,
    });

  afterAll(() => redis.quit());

  it('blocks a pair after its consecutive failures, for blockSeconds, and only that pair', async () => {
    const subject = throttle();
    const attacker = { ip: '203.0.113.1', account: 'tenant:user' };
    await subject.recordFailure(attacker);
    await subject.admit(attacker);
    await subject.recordFailure(attacker);

    await expect(subject.admit(attacker)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { retry_after_s: 30 },
    });
    await subject.admit({ ip: '203.0.113.2', account: 'tenant:user' });
    await subject.admit({ ip: '203.0.113.1', account: 'tenant:someone-else' });
  });

  it('lets a success reset the pair but not the address', async () => {
    const subject = throttle();
    const attempt = { ip: '203.0.113.3', account: 'tenant:user' };
    for (let round = 0; round < 3; round++) {
      await subject.recordFailure(attempt);
      await subject.admit(attempt); // three failures of the pair in all, never two in a row
      await subject.recordSuccess(attempt);
    }
    await subject.recordFailure(attempt); // the address's fourth: it is blocked for its window

    await expect(subject.admit({ ip: '203.0.113.3' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { retry_after_s: 60 },
    });
  });
});
