export interface RetrySchedule {
  baseMs: number;
  maxDelayMs: number;
  windowMs: number;
}

/**
 * The delay before attempt `failedAttempts + 1`: base, 2×base, 4×base … capped at maxDelayMs,
 * or undefined when that attempt would start after the window (24 h) since the first one.
 * With the defaults (30 s, 1 h cap, 24 h): 30 s, 1, 2, 4, 8, 16, 32 min, then hourly, about
 * 30 attempts in all.
 */
export function retryDelayMs(
  schedule: RetrySchedule,
  failedAttempts: number,
  firstAttemptAt: number,
  now: number,
): number | undefined {
  const delay = Math.min(
    schedule.baseMs * 2 ** Math.min(failedAttempts - 1, 40),
    schedule.maxDelayMs,
  );
  return now + delay - firstAttemptAt > schedule.windowMs ? undefined : delay;
}
