import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type ChatStats, tenantIdOf } from '@tenantbot/contracts';

import type { ReportCaller } from '../core/message-caller';
import type { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

const ALPHA = tenantIdOf(randomUUID());
const BETA = tenantIdOf(randomUUID());
const NOW = new Date('2026-03-15T10:00:00Z');
const STATS: ChatStats = {
  conversations: 0,
  messages: 0,
  this_month: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
  last_24h: { requests: 0, errors: 0 },
};

function serviceWithFakeRepository() {
  const repository = {
    summarize: jest.fn<UsageRepository['summarize']>(() =>
      Promise.resolve({
        rows: [],
        totals: { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      }),
    ),
    stats: jest.fn<UsageRepository['stats']>(() => Promise.resolve(STATS)),
  };
  return { service: new UsageService(repository as unknown as UsageRepository), repository };
}

const admin = (tenantId = ALPHA): ReportCaller => ({
  requestId: 'r',
  tenantId,
  role: 'tenant_admin',
  userId: 'u',
});
const superAdmin: ReportCaller = { requestId: 'r', role: 'super_admin', userId: 's' };

describe('UsageService', () => {
  it('reports a tenant admin’s own tenant', async () => {
    const { service, repository } = serviceWithFakeRepository();
    const report = await service.report(admin(), { group_by: 'day' }, NOW);
    expect(report.tenant_id).toBe(ALPHA);
    expect(repository.summarize.mock.calls[0][0]).toEqual({ kind: 'tenant', tenantId: ALPHA });
  });

  it('refuses a tenant admin another tenant, and other roles, before reading', async () => {
    const { service, repository } = serviceWithFakeRepository();
    await expect(
      service.report(admin(), { group_by: 'day', tenant_id: BETA }, NOW),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      service.stats({ ...admin(), role: 'agent' }, undefined, NOW),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(repository.summarize).not.toHaveBeenCalled();
    expect(repository.stats).not.toHaveBeenCalled();
  });

  it('gives a super admin the tenant it names, else the platform with its busiest tenants', async () => {
    const { service, repository } = serviceWithFakeRepository();
    await service.stats(superAdmin, BETA, NOW);
    await service.stats(superAdmin, undefined, NOW);
    expect(repository.stats.mock.calls.map((call) => call[0])).toEqual([
      { kind: 'tenant', tenantId: BETA },
      { kind: 'platform' },
    ]);
    expect(repository.stats.mock.calls[0][1]).toEqual({
      monthStart: new Date('2026-03-01T00:00:00Z'),
      dayAgo: new Date('2026-03-14T10:00:00Z'),
    });
  });
});
