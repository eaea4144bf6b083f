import { Injectable } from '@nestjs/common';

import {
  type PlatformCaller,
  STATS_PATTERNS,
  type StatsReport,
  TENANTS,
  type UsageQuery,
  type UsageReport,
} from '@tenantbot/contracts';
import { reportScopeOf, runWithContext, tenantOf } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

const REPORT_TIMEOUT_MS = 15_000;

/**
 * Usage and statistics, gathered from the services that own the data over the transport:
 * the admin service keeps no copy and reads no table. What a report covers is decided first
 * (a tenant admin: its tenant; a super admin: the platform or the tenant it names); each
 * service checks that scope again and reads across tenants only for the platform view.
 */
@Injectable()
export class ReportsService {
  constructor(private readonly transport: RedisStreamsClient) {}

  usage(caller: PlatformCaller, query: UsageQuery): Promise<UsageReport> {
    const tenantId = tenantOf(reportScopeOf(caller, query.tenant_id));
    return this.askInScope(caller, tenantId, () =>
      this.transport.request(
        STATS_PATTERNS.CHAT_USAGE,
        { ...query, tenant_id: tenantId ?? undefined },
        { timeoutMs: REPORT_TIMEOUT_MS },
      ),
    );
  }

  async stats(caller: PlatformCaller, requestedTenant: string | undefined): Promise<StatsReport> {
    const tenantId = tenantOf(reportScopeOf(caller, requestedTenant));
    const options = { timeoutMs: REPORT_TIMEOUT_MS };
    const [tenants, rag, chat] = await this.askInScope(caller, tenantId, () =>
      Promise.all([
        this.transport.request(TENANTS.STATS, {}, options),
        this.transport.request(STATS_PATTERNS.RAG, {}, options),
        this.transport.request(STATS_PATTERNS.CHAT, {}, options),
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
      handoffs: chat.handoffs,
      feedback: chat.feedback ?? { up: 0, down: 0 },
      this_month: chat.this_month,
      last_24h: {
        requests,
        errors,
        error_rate: requests === 0 ? 0 : Math.round((errors / requests) * 10_000) / 10_000,
      },
      ...(chat.top_tenants ? { top_tenants: chat.top_tenants } : {}),
    };
  }

  /**
   * The services' questions travel with the caller and the report's tenant (none: the
   * platform) as their context.
   */
  private askInScope<T>(
    caller: PlatformCaller,
    tenantId: string | null,
    work: () => Promise<T>,
  ): Promise<T> {
    const { requestId, role, userId, apiKeyId } = caller;
    const principal = { role, userId, apiKeyId };
    return runWithContext({ requestId, tenantId: tenantId ?? undefined, principal }, work);
  }
}
