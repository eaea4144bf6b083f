import { DomainError, ErrorCode, type UsageQuery } from '@tenantbot/contracts';

import type { UsagePeriod } from './usage.repository';

const DAY_MS = 86_400_000;
/** A report without dates covers the last 30 days, ending now. */
const DEFAULT_DAYS = 30;

/**
 * The period a usage query asks for: `from` inclusive, `to` exclusive. A missing `to` is now; a
 * missing `from` is 30 days before `to`. A bare date is midnight UTC.
 */
export function usagePeriod(query: Pick<UsageQuery, 'from' | 'to'>, now: Date): UsagePeriod {
  const to = query.to === undefined ? now : dateOf('to', query.to);
  const from =
    query.from === undefined
      ? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS)
      : dateOf('from', query.from);
  if (from > to) {
    throw invalid('from', 'must not be after to');
  }
  return { from, to };
}

/** The first instant of the UTC calendar month. */
export function startOfUtcMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export function dayBefore(now: Date): Date {
  return new Date(now.getTime() - DAY_MS);
}

function dateOf(field: 'from' | 'to', text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw invalid(field, 'not a valid date');
  }
  return date;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, `${field}: ${message}`, [{ field, message }]);
}
