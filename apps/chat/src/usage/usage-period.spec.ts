import { describe, expect, it } from '@jest/globals';

import { startOfUtcMonth, usagePeriod } from './usage-period';

const now = new Date('2024-03-10T12:00:00.000Z');

describe('usagePeriod', () => {
  it('defaults to the 30 days before now, or before the given end', () => {
    expect(usagePeriod({}, now)).toEqual({ from: new Date('2024-02-09T12:00:00.000Z'), to: now });
    expect(usagePeriod({ to: '2024-02-01' }, now).from).toEqual(new Date('2024-01-02T00:00:00Z'));
  });

  it('reads bare dates as midnight UTC and keeps offsets', () => {
    expect(usagePeriod({ from: '2024-01-01', to: '2024-01-02T01:00:00+02:00' }, now)).toEqual({
      from: new Date('2024-01-01T00:00:00Z'),
      to: new Date('2024-01-01T23:00:00Z'),
    });
  });

  it('refuses a period that ends before it starts', () => {
    expect(() => usagePeriod({ from: '2024-02-01', to: '2024-01-01' }, now)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('starts the month at midnight UTC on the first', () => {
    expect(startOfUtcMonth(now)).toEqual(new Date('2024-03-01T00:00:00Z'));
  });
});
