import type { Plan } from '@tenantbot/contracts';

export interface RequestQuota {
  requests_per_minute: number;
  requests_per_hour: number;
}

/** Requests a tenant may make by plan, unless its `rate_limits` say otherwise. */
export const PLAN_LIMITS: Record<Plan, RequestQuota> = {
  free: { requests_per_minute: 60, requests_per_hour: 1_000 },
  basic: { requests_per_minute: 300, requests_per_hour: 10_000 },
  premium: { requests_per_minute: 1_000, requests_per_hour: 50_000 },
  enterprise: { requests_per_minute: 5_000, requests_per_hour: 250_000 },
};

export function tenantQuota(plan: string, overrides: Partial<RequestQuota> = {}): RequestQuota {
  const base = PLAN_LIMITS[plan as Plan] ?? PLAN_LIMITS.free;
  return {
    requests_per_minute: overrides.requests_per_minute ?? base.requests_per_minute,
    requests_per_hour: overrides.requests_per_hour ?? base.requests_per_hour,
  };
}
