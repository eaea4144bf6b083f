import { createHmac } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { isPublicAddress, parseEndpoint } from './webhook-address-guard';
import { retryDelayMs } from './webhook-retry';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const body = '{"id":"e1","type":"document.completed"}';

  it('is Stripe’s scheme: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>', () => {
    const expected = createHmac('sha256', 'whsec_x').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('whsec_x', body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies the body as sent, with the secret, within five minutes', () => {
    const header = signWebhook('whsec_x', body, 1_700_000_000);
    expect(verifyWebhookSignature('whsec_x', body, header, 1_700_000_100)).toBe(true);
    expect(verifyWebhookSignature('whsec_y', body, header, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature('whsec_x', `${body}\n`, header, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature('whsec_x', body, header, 1_700_000_301)).toBe(false);
    expect(verifyWebhookSignature('whsec_x', body, 'v1=abc', 1_700_000_000)).toBe(false);
  });
});

describe('webhook retries', () => {
  const schedule = { baseMs: 30_000, maxDelayMs: 3_600_000, windowMs: 86_400_000 };

  it('doubles from 30 s up to an hour, and stops 24 hours after the first attempt', () => {
    const delays = [1, 2, 3, 7, 8, 20].map((failed) => retryDelayMs(schedule, failed, 0, 0));
    expect(delays).toEqual([30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000]);
    expect(retryDelayMs(schedule, 30, 0, 86_400_000 - 3_600_000)).toBe(3_600_000);
    expect(retryDelayMs(schedule, 30, 0, 86_400_000 - 3_599_999)).toBeUndefined();
  });

  it('makes about 30 attempts in the 24 hours with the defaults', () => {
    let now = 0;
    let attempts = 1;
    for (let delay = retryDelayMs(schedule, 1, 0, now); delay !== undefined; attempts++) {
      now += delay;
      delay = retryDelayMs(schedule, attempts + 1, 0, now);
    }
    expect(attempts).toBeGreaterThanOrEqual(28);
    expect(attempts).toBeLessThanOrEqual(32);
    expect(now).toBeLessThanOrEqual(86_400_000);
  });
});

describe('webhook addresses', () => {
  it('calls only public unicast addresses public', () => {
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) {
      expect(isPublicAddress(address)).toBe(true);
    }
    for (const address of [
      '10.0.0.1',
      '172.16.0.1',
      '192.168.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fc00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      'not an address',
    ]) {
      expect(isPublicAddress(address)).toBe(false);
    }
  });

  it('takes http(s) URLs without credentials only', () => {
    expect(parseEndpoint('https://hooks.example.com/x').hostname).toBe('hooks.example.com');
    for (const url of [
      'ftp://example.com/',
      'file:///etc/passwd',
      'https://a:b@example.com/',
      'x',
    ]) {
      expect(() => parseEndpoint(url)).toThrow(/URL|http|credentials/);
    }
  });
});
