import type { UsageRow } from '../api/types';

/** Every day from `from` to `to` (inclusive, YYYY-MM-DD), days without usage as zeros. */
export function dailySeries(rows: readonly UsageRow[], from: string, to: string): UsageRow[] {
  const byDay = new Map(rows.map((row) => [row.key.slice(0, 10), row]));
  const days: UsageRow[] = [];
  for (
    let day = new Date(`${from}T00:00:00Z`);
    day <= new Date(`${to}T00:00:00Z`);
    day = new Date(day.getTime() + 86_400_000)
  ) {
    const key = day.toISOString().slice(0, 10);
    days.push(
      byDay.get(key) ?? {
        key,
        requests: 0,
        errors: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
      },
    );
  }
  return days;
}

/** The last `days` days up to today (UTC), as the usage query's from and to. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** The day after `day`: the usage query's `to` is exclusive. */
export function dayAfter(day: string): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
}

export interface Budget {
  spent: number;
  budget: number | null;
  /** 0..1 and beyond; null without a budget. */
  share: number | null;
  level: 'none' | 'ok' | 'warning' | 'over';
}

/** This month's spending against the tenant's monthly budget. */
export function budgetUse(spent: number, budget: number | undefined | null): Budget {
  if (budget === undefined || budget === null) {
    return { spent, budget: null, share: null, level: 'none' };
  }
  const share = budget === 0 ? (spent > 0 ? Infinity : 0) : spent / budget;
  const level = share >= 1 ? 'over' : share >= 0.8 ? 'warning' : 'ok';
  return { spent, budget, share, level };
}

export const totalTokens = (row: Pick<UsageRow, 'input_tokens' | 'output_tokens'>) =>
  row.input_tokens + row.output_tokens;

/** How answers were rated: the share of thumbs up among ratings, null before any rating. */
export function feedbackRatio({ up, down }: { up: number; down: number }): {
  rated: number;
  upShare: number | null;
} {
  const rated = up + down;
  return { rated, upShare: rated === 0 ? null : up / rated };
}
