import { Injectable } from '@nestjs/common';

import {
  type ChatStats,
  type PlatformCaller,
  tenantIdOf,
  type UsageQuery,
  type UsageReport,
} from '@tenantbot/contracts';
import {
  PlatformScope,
  type PlatformTransaction,
  type ScopedTransaction,
  TenantDatabase,
} from '@tenantbot/database';
import { reportScopeOf } from '@tenantbot/tenant-context';

import { UsageRepository } from './usage.repository';
import { dayBefore, startOfUtcMonth, usagePeriod } from './usage-period';

/** The platform view lists this many of the month's busiest tenants. */
const TOP_TENANTS = 5;

/**
 * What the admin service reports about chat: usage per day, model or user over a period, and
 * the tenant's (or the platform's) statistics. Access first (`reportScopeOf`): a tenant admin
 * sees its tenant, a super admin the tenant it names or the whole platform.
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly database: TenantDatabase,
    private readonly platform: PlatformScope,
  ) {}

  async report(caller: PlatformCaller, query: UsageQuery, now = new Date()): Promise<UsageReport> {
    const report = reportScopeOf(caller, query.tenant_id);
    const tenantId = report.kind === 'tenant' ? tenantIdOf(report.tenantId) : undefined;
    const period = usagePeriod(query, now);
    const { rows, totals } = await this.usage.summarize(
      tenantId ?? this.platform,
      period,
      query.group_by,
    );
    return {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      group_by: query.group_by,
      tenant_id: tenantId ?? null,
      rows,
      totals,
    };
  }

  async stats(
    caller: PlatformCaller,
    requestedTenant?: string,
    now = new Date(),
  ): Promise<ChatStats> {
    const report = reportScopeOf(caller, requestedTenant);
    const since = { monthStart: startOfUtcMonth(now), dayAgo: dayBefore(now) };
    if (report.kind === 'tenant') {
      return this.database.transaction(tenantIdOf(report.tenantId), (tx) =>
        this.statsIn(tx, since),
      );
    }
    return this.platform.transaction(async (tx) => ({
      ...(await this.statsIn(tx, since)),
      top_tenants: await this.usage.busiestTenants(tx, since.monthStart, TOP_TENANTS),
    }));
  }

  private async statsIn(
    scope: ScopedTransaction | PlatformTransaction,
    since: { monthStart: Date; dayAgo: Date },
  ): Promise<ChatStats> {
    const counts = await this.usage.counts(scope);
    const activity = await this.usage.activity(scope, since);
    const handoffs = await this.usage.handoffs(scope);
    return { ...counts, handoffs, ...activity };
  }
}
