import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import {
  type PlatformCaller,
  STATS_PATTERNS,
  type TenantId,
  tenantIdOf,
  TENANTS,
} from '@tenantbot/contracts';
import { currentContext, type RequestContext } from '@tenantbot/tenant-context';
import type { RedisStreamsClient } from '@tenantbot/transport';

import { CHAT_STATS, RAG_STATS, TENANTS_STATS } from './report-fixtures';
import { ReportsService } from './reports.service';

const REPLIES: Record<string, unknown> = {
  [TENANTS.STATS]: TENANTS_STATS,
  [STATS_PATTERNS.RAG]: RAG_STATS,
  [STATS_PATTERNS.CHAT]: CHAT_STATS,
};

/** A transport that answers the stats patterns and remembers the context of every question. */
function fakeTransport() {
  const asked: { pattern: string; context: RequestContext | undefined }[] = [];
  const request = jest.fn((pattern: string) => {
    asked.push({ pattern, context: currentContext() });
    return Promise.resolve(REPLIES[pattern]);
  });
  return { asked, transport: { request } as unknown as RedisStreamsClient };
}

const tenantA = tenantIdOf(randomUUID());
const tenantB = tenantIdOf(randomUUID());
const caller = (role: PlatformCaller['role'], tenantId?: TenantId): PlatformCaller => ({
  requestId: 'req-1',
  tenantId,
  role,
  userId: randomUUID(),
});

describe('ReportsService', () => {
  it("reports a tenant admin's own tenant, asking every service in that tenant", async () => {
    const { asked, transport } = fakeTransport();
    const report = await new ReportsService(transport).stats(
      caller('tenant_admin', tenantA),
      undefined,
    );
    expect(report).toMatchObject({
      scope: 'tenant',
      tenant_id: tenantA,
      users: TENANTS_STATS.users,
      chunks: 9,
      last_24h: { requests: 8, errors: 1, error_rate: 0.125 },
    });
    expect(asked.map((question) => question.context?.tenantId)).toEqual([
      tenantA,
      tenantA,
      tenantA,
    ]);
  });

  it('refuses a tenant admin naming another tenant, and an agent, before asking anything', async () => {
    const { asked, transport } = fakeTransport();
    const reports = new ReportsService(transport);
    await expect(reports.stats(caller('tenant_admin', tenantA), tenantB)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(reports.stats(caller('agent', tenantA), undefined)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(asked).toHaveLength(0);
  });

  it('gives the super admin the platform, or the tenant it names', async () => {
    const { asked, transport } = fakeTransport();
    const reports = new ReportsService(transport);
    const platform = await reports.stats(caller('super_admin'), undefined);
    const named = await reports.stats(caller('super_admin'), tenantB);
    expect([platform.scope, platform.tenant_id]).toEqual(['platform', null]);
    expect([named.scope, named.tenant_id]).toEqual(['tenant', tenantB]);
    expect(asked.map((question) => question.context?.tenantId)).toEqual([
      undefined,
      undefined,
      undefined,
      tenantB,
      tenantB,
      tenantB,
    ]);
  });
});
