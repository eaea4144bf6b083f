import { Inject, Injectable } from '@nestjs/common';
import {
  STATS_PATTERNS,
  TENANTS,
  type ChatStats,
  type RagStats,
  type StatsReport,
  type TenantsStats,
  type UsageQuery,
  type UsageReport,
} from '@tenantbot/contracts';
import {
  currentContext,
  currentReportScope,
  runWithContext,
  tenantOf,
} from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

const REPORT_TIMEOUT_MS = 15_000;

/**
 * Usage and statistics, gathered from the services that own the data over the transport:
 * the admin service keeps no copy and reads no other service's tables.
 */
@Injectable()
export class ReportsService {
  constructor(@Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient) {}

  usage(query: UsageQuery): Promise<UsageReport> {
    const tenantId = this.scopeOf(query.tenant_id);
    return this.inScope(tenantId, () =>
      this.transport.request<UsageReport>(
        STATS_PATTERNS.CHAT_USAGE,
        { ...query, tenant_id: tenantId ?? undefined },
        {
          timeoutMs: REPORT_TIMEOUT_MS,
        },
      ),
    );
  }

  async stats(requestedTenant: string | undefined): Promise<StatsReport> {
    const tenantId = this.scopeOf(requestedTenant);
    const [tenants, rag, chat] = await this.inScope(tenantId, () =>
      Promise.all([
        this.transport.request<TenantsStats>(TENANTS.STATS, {}, { timeoutMs: REPORT_TIMEOUT_MS }),
        this.transport.request<RagStats>(STATS_PATTERNS.RAG, {}, { timeoutMs: REPORT_TIMEOUT_MS }),
        this.transport.request<ChatStats>(
          STATS_PATTERNS.CHAT,
          {},
          { timeoutMs: REPORT_TIMEOUT_MS },
        ),
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
  private scopeOf(requested: string | undefined): string | null {
    return tenantOf(currentReportScope(requested));
  }

  private inScope<T>(tenantId: string | null, work: () => Promise<T>): Promise<T> {
    const context = currentContext() ?? { requestId: 'admin' };
    return runWithContext({ ...context, tenantId: tenantId ?? undefined }, work);
  }
}
