import { Injectable } from '@nestjs/common';

import {
  type ChatStats,
  DomainError,
  ErrorCode,
  tenantIdOf,
  type UsageQuery,
  type UsageReport,
} from '@tenantbot/contracts';

import type { ReportCaller } from '../core/message-caller';
import { UsageRepository, type UsageScope } from './usage.repository';
import { dayBefore, startOfUtcMonth, usagePeriod } from './usage-period';

/** The platform view lists this many of the month's busiest tenants. */
const TOP_TENANTS = 5;

/**
 * What the admin service reports about chat: usage per day, model or user over a period, and
 * the tenant's (or the platform's) statistics. Access first: a tenant admin sees its tenant, a
 * super admin the tenant it names or the whole platform.
 */
@Injectable()
export class UsageService {
  constructor(private readonly usage: UsageRepository) {}

  async report(caller: ReportCaller, query: UsageQuery, now = new Date()): Promise<UsageReport> {
    const scope = reportScope(caller, query.tenant_id);
    const period = usagePeriod(query, now);
    const { rows, totals } = await this.usage.summarize(scope, period, query.group_by);
    return {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      group_by: query.group_by,
      tenant_id: scope.kind === 'tenant' ? scope.tenantId : null,
      rows,
      totals,
    };
  }

  async stats(
    caller: ReportCaller,
    requestedTenant?: string,
    now = new Date(),
  ): Promise<ChatStats> {
    const scope = reportScope(caller, requestedTenant);
    return this.usage.stats(
      scope,
      { monthStart: startOfUtcMonth(now), dayAgo: dayBefore(now) },
      TOP_TENANTS,
    );
  }
}

/** The scope the caller may report on; everyone but tenant and super admins is refused. */
function reportScope(caller: ReportCaller, requestedTenant?: string): UsageScope {
  if (caller.role === 'super_admin') {
    const tenantId = requestedTenant ?? caller.tenantId;
    return tenantId ? { kind: 'tenant', tenantId: tenantIdOf(tenantId) } : { kind: 'platform' };
  }
  if (caller.role !== 'tenant_admin') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'requires tenant_admin or super_admin');
  }
  if (!caller.tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this report needs a tenant in its context');
  }
  if (requestedTenant && requestedTenant !== caller.tenantId) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'a tenant admin sees its own tenant only');
  }
  return { kind: 'tenant', tenantId: caller.tenantId };
}
