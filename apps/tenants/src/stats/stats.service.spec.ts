import { describe, expect, it, jest } from '@jest/globals';

import { ErrorCode, type PlatformCaller, tenantIdOf } from '@tenantbot/contracts';
import type { PlatformScope } from '@tenantbot/database';

import type { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

const TENANT = tenantIdOf('6f1c2a4e-8b7d-4c3e-9f00-1a2b3c4d5e6f');

function serviceWithFakes() {
  const platformTx = { scope: 'platform' };
  const platform = { transaction: jest.fn((work: (tx: unknown) => unknown) => work(platformTx)) };
  const counts = {
    usersByRole: jest.fn(async (..._args: unknown[]) => [
      { role: 'agent', n: 2 },
      { role: 'user', n: 3 },
    ]),
    tenantsByPlan: jest.fn(async (..._args: unknown[]) => [
      { plan: 'free', is_active: true, n: 4 },
      { plan: 'free', is_active: false, n: 1 },
      { plan: 'premium', is_active: true, n: 2 },
    ]),
  };
  const service = new StatsService(
    platform as unknown as PlatformScope,
    counts as unknown as StatsRepository,
  );
  return { service, platformTx, counts };
}

const caller = (role: PlatformCaller['role'], tenantId?: typeof TENANT): PlatformCaller => ({
  requestId: 'r',
  role,
  tenantId,
});

describe('StatsService', () => {
  it('counts the caller’s tenant only, users alone', async () => {
    const { service, counts } = serviceWithFakes();
    expect(await service.stats(caller('tenant_admin', TENANT))).toEqual({
      users: { total: 5, by_role: { agent: 2, user: 3 } },
    });
    expect(counts.usersByRole).toHaveBeenCalledWith(TENANT);
    expect(counts.tenantsByPlan).not.toHaveBeenCalled();
  });

  it('counts the platform for a super admin naming no tenant', async () => {
    const { service, counts, platformTx } = serviceWithFakes();
    const stats = await service.stats(caller('super_admin'));
    expect(stats.tenants).toEqual({
      total: 7,
      by_plan: { free: 5, premium: 2 },
      active: 6,
      inactive: 1,
    });
    expect(counts.usersByRole).toHaveBeenCalledWith(platformTx);
  });

  it('refuses everyone else', async () => {
    const { service } = serviceWithFakes();
    await expect(service.stats(caller('agent', TENANT))).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
  });
});
