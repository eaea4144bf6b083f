import { describe, expect, it, jest } from '@jest/globals';

import { ErrorCode, type PlatformCaller, tenantIdOf } from '@tenantbot/contracts';
import type { AcrossTenants, InTenant, PlatformScope } from '@tenantbot/database';

import type { DocumentCounts, StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

const TENANT = tenantIdOf('3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a');
const PLATFORM = { platform: true } as unknown as PlatformScope;

function statsService() {
  const counts = jest.fn(async (_scope: InTenant | AcrossTenants): Promise<DocumentCounts> => ({
    byStatus: [
      { status: 'completed', n: 3 },
      { status: 'failed', n: 1 },
    ],
    chunks: 42,
  }));
  return { service: new StatsService({ counts } as unknown as StatsRepository, PLATFORM), counts };
}

const caller = (role: PlatformCaller['role'], tenantId?: typeof TENANT): PlatformCaller => ({
  requestId: 'req-1',
  role,
  tenantId,
  userId: 'user-1',
});

describe('StatsService', () => {
  it('totals a tenant admin’s documents by status, in its tenant', async () => {
    const { service, counts } = statsService();
    await expect(service.stats(caller('tenant_admin', TENANT))).resolves.toEqual({
      documents: { total: 4, by_status: { completed: 3, failed: 1 } },
      chunks: 42,
    });
    expect(counts).toHaveBeenCalledWith(TENANT);
  });

  it('counts across tenants only for a super admin without a tenant', async () => {
    const { service, counts } = statsService();
    await service.stats(caller('super_admin'));
    expect(counts).toHaveBeenCalledWith(PLATFORM);
  });

  it('refuses other roles before counting anything', async () => {
    const { service, counts } = statsService();
    await expect(service.stats(caller('agent', TENANT))).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    expect(counts).not.toHaveBeenCalled();
  });
});
