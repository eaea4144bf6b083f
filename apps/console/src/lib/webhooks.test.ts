import { describe, expect, it } from 'vitest';

import { deliveryLine, type WebhookDelivery, webhookUrlProblem } from './webhooks';

describe('webhooks', () => {
  it('takes full http(s) addresses only', () => {
    expect(webhookUrlProblem('https://hooks.example.com/tenantbot')).toBeUndefined();
    expect(webhookUrlProblem('hooks.example.com')).toMatch(/full address/);
    expect(webhookUrlProblem('ftp://hooks.example.com/')).toMatch(/http or https/);
  });

  it('sums up a delivery attempt', () => {
    const delivery = {
      outcome: 'failed',
      attempt: 2,
      response_status: 500,
      error: null,
      duration_ms: 31,
      next_attempt_at: '2026-12-06T03:00:00Z',
    } as WebhookDelivery;
    expect(deliveryLine(delivery)).toBe('failed (attempt 2): HTTP 500 in 31 ms · will retry');
    expect(
      deliveryLine({ ...delivery, response_status: null, error: 'timeout', next_attempt_at: null }),
    ).toBe('failed (attempt 2): timeout in 31 ms');
  });
});
