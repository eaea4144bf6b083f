import { Injectable } from '@nestjs/common';

import {
  type ChatStats,
  type RagStats,
  STATS_PATTERNS,
  type StatsReport,
  TENANTS,
  type TenantsStats,
  type UsageQuery,
  type UsageReport,
} from '@tenantbot/contracts';
import {
  currentReportScope,
  type RequestContext,
  runWithContext,
  tenantOf,
} from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

const REPORT_TIMEOUT_MS = 15_000;

/**
 * Usage and statistics, gathered from the services that own the data over the transport:
 * the admin service keeps no copy and reads no other service's tables. Each service checks
 * the report's scope again, and reads across tenants only for the super admin's platform view.
 */
@Injectable()
export class ReportsService {
  constructor(private readonly transport: RedisStreamsClient) {}

  usage(caller: RequestContext, query: UsageQuery): Promise<UsageReport> {
    const tenantId = this.scopeOf(caller, query.tenant_id);
    return this.inScope(caller, tenantId, () =>
      this.transport.request<UsageReport>(
        STATS_PATTERNS.CHAT_USAGE,
        { ...query, tenant_id: tenantId ?? undefined },
        { timeoutMs: REPORT_TIMEOUT_MS },
      ),
    );
  }

  async stats(caller: RequestContext, requestedTenant: string | undefined): Promise<StatsReport> {
    const tenantId = this.scopeOf(caller, requestedTenant);
    const options = { timeoutMs: REPORT_TIMEOUT_MS };
    const [tenants, rag, chat] = await this.inScope(caller, tenantId, () =>
      Promise.all([
        this.transport.request<TenantsStats>(TENANTS.STATS, {}, options),
        this.transport.request<RagStats>(STATS_PATTERNS.RAG, {}, options),
        this.transport.request<ChatStats>(STATS_PATTERNS.CHAT, {}, options),
      ]),
    );
    const { requests, errors } = chat.last_24h;
    return {
      scope: tenantId ? 'tenant' : 'platform',
      tenant_id: tenantId,
      ...(tenants.tenants ? { tenants: tenants.tenants } : {}),
      users: tenants.users,
      documents: rag.documents,
      chunks: rag.chunks,
      conversations: chat.conversations,
      messages: chat.messages,
      this_month: chat.this_month,
      last_24h: {
        requests,
        errors,
        error_rate: requests === 0 ? 0 : Math.round((errors / requests) * 10_000) / 10_000,
      },
      ...(chat.top_tenants ? { top_tenants: chat.top_tenants } : {}),
    };
  }

  /** The tenant the report covers, or null for the platform (the rule every service applies). */
  private scopeOf(caller: RequestContext, requested: string | undefined): string | null {
    return runWithContext(caller, () => tenantOf(currentReportScope(requested)));
  }

  /** The services' questions carry the report's tenant (none: the platform) as their context. */
  private inScope<T>(
    caller: RequestContext,
    tenantId: string | null,
    work: () => Promise<T>,
  ): Promise<T> {
    return runWithContext({ ...caller, tenantId: tenantId ?? undefined }, work);
  }
}
