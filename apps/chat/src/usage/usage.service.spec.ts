import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type PlatformCaller, tenantIdOf } from '@tenantbot/contracts';
import type { PlatformScope, TenantDatabase } from '@tenantbot/database';

import type { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

const ALPHA = tenantIdOf(randomUUID());
const BETA = tenantIdOf(randomUUID());
const NOW = new Date('2026-03-15T10:00:00Z');
const NO_SUMS = { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };

/** The repository faked; units of work hand over a token standing for their transaction. */
function serviceWithFakes() {
  const repository = {
    summarize: jest.fn<UsageRepository['summarize']>(() =>
      Promise.resolve({ rows: [], totals: NO_SUMS }),
    ),
    counts: jest.fn<UsageRepository['counts']>(() =>
      Promise.resolve({ conversations: 0, messages: 0 }),
    ),
    activity: jest.fn<UsageRepository['activity']>(() =>
      Promise.resolve({
        this_month: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
        last_24h: { requests: 0, errors: 0 },
      }),
    ),
    busiestTenants: jest.fn<UsageRepository['busiestTenants']>(() => Promise.resolve([])),
    handoffs: jest.fn<UsageRepository['handoffs']>(() =>
      Promise.resolve({
        requested: 0,
        claimed: 0,
        median_seconds_to_claim: null,
        resolved_by_bot: 0,
        resolved_by_person: 0,
      }),
    ),
  };
  const tenantTransactions: string[] = [];
  const database = {
    transaction: (tenantId: string, work: (tx: unknown) => Promise<unknown>) => {
      tenantTransactions.push(tenantId);
      return work(`tx of ${tenantId}`);
    },
  };
  const platform = {
    transaction: (work: (tx: unknown) => Promise<unknown>) => work('platform tx'),
  };
  const service = new UsageService(
    repository as unknown as UsageRepository,
    database as unknown as TenantDatabase,
    platform as unknown as PlatformScope,
  );
  return { service, repository, tenantTransactions, platform };
}

const admin: PlatformCaller = {
  requestId: 'r',
  tenantId: ALPHA,
  role: 'tenant_admin',
  userId: 'u',
};
const superAdmin: PlatformCaller = { requestId: 'r', role: 'super_admin', userId: 's' };

describe('UsageService', () => {
  it('reports a tenant admin’s own tenant, in that tenant’s scope', async () => {
    const { service, repository } = serviceWithFakes();
    const report = await service.report(admin, { group_by: 'day' }, NOW);
    expect(report.tenant_id).toBe(ALPHA);
    expect(repository.summarize.mock.calls[0][0]).toBe(ALPHA);
  });

  it('refuses a tenant admin another tenant, and other roles, before reading', async () => {
    const { service, repository } = serviceWithFakes();
    await expect(
      service.report(admin, { group_by: 'day', tenant_id: BETA }, NOW),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.stats({ ...admin, role: 'agent' }, undefined, NOW)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(repository.summarize).not.toHaveBeenCalled();
    expect(repository.counts).not.toHaveBeenCalled();
  });

  it('gives a super admin the tenant it names, in that tenant’s unit of work', async () => {
    const { service, repository, tenantTransactions } = serviceWithFakes();
    const stats = await service.stats(superAdmin, BETA, NOW);
    expect(tenantTransactions).toEqual([BETA]);
    expect(repository.counts.mock.calls[0][0]).toBe(`tx of ${BETA}`);
    expect(repository.activity.mock.calls[0][1]).toEqual({
      monthStart: new Date('2026-03-01T00:00:00Z'),
      dayAgo: new Date('2026-03-14T10:00:00Z'),
    });
    expect(stats.top_tenants).toBeUndefined();
  });

  it('gives a super admin without a tenant the platform, with its busiest tenants', async () => {
    const { service, repository, tenantTransactions } = serviceWithFakes();
    const stats = await service.stats(superAdmin, undefined, NOW);
    expect(tenantTransactions).toEqual([]);
    expect(repository.counts.mock.calls[0][0]).toBe('platform tx');
    expect(repository.busiestTenants.mock.calls[0]).toEqual([
      'platform tx',
      new Date('2026-03-01T00:00:00Z'),
      5,
    ]);
    expect(stats.top_tenants).toEqual([]);
  });
});
