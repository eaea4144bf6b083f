import { Inject, Injectable } from '@nestjs/common';
import type { ChatStats, UsageQuery, UsageReport } from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { ConversationRepository } from '../conversation/conversation.repository';
import { inReportScope } from '@tenantbot/database';
import { currentReportScope, tenantOf } from '@tenantbot/tenant-context';
import { dayBefore, startOfUtcMonth, usagePeriod } from './usage-period';
import { UsageRepository } from './usage.repository';

/** The platform view lists this many of the month's busiest tenants. */
const TOP_TENANTS = 5;

/**
 * What the admin service reports about chat: usage per day, model or user over a period, and
 * the tenant's (or the platform's) statistics. Access first, then one transaction in scope.
 */
@Injectable()
export class UsageService {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(UsageRepository) private readonly usage: UsageRepository,
    @Inject(ConversationRepository) private readonly conversations: ConversationRepository,
  ) {}

  async report(query: UsageQuery, now = new Date()): Promise<UsageReport> {
    const report = currentReportScope(query.tenant_id);
    const period = usagePeriod(query, now);
    const { rows, totals } = await inReportScope(this.scope, report, (tx) =>
      this.usage.summarize(tx, report, period, query.group_by),
    );
    return {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      group_by: query.group_by,
      tenant_id: tenantOf(report),
      rows,
      totals,
    };
  }

  stats(requestedTenant?: string, now = new Date()): Promise<ChatStats> {
    const report = currentReportScope(requestedTenant);
    const monthStart = startOfUtcMonth(now);
    return inReportScope(this.scope, report, async (tx) => {
      const counts = await this.conversations.count(tx, report);
      const activity = await this.usage.activity(tx, report, {
        monthStart,
        dayAgo: dayBefore(now),
      });
      if (report.kind === 'tenant') return { ...counts, ...activity };
      const topTenants = await this.usage.topTenants(tx, monthStart, TOP_TENANTS);
      return { ...counts, ...activity, top_tenants: topTenants };
    });
  }
}
