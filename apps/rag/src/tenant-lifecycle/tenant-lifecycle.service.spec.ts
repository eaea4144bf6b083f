import { describe, expect, it, jest } from '@jest/globals';

import { tenantIdOf } from '@tenantbot/contracts';
import type { ObjectStorage } from '@tenantbot/object-storage';
import type { Logger } from '@tenantbot/observability';

import type { TenantFairness } from '../ingestion/tenant-fairness';
import type { ChromaVectorStore } from '../vectors/chroma-vector-store';
import { TenantLifecycleService } from './tenant-lifecycle.service';

const TENANT = tenantIdOf('3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a');

function lifecycleService() {
  const vectors = { deleteTenant: jest.fn(async (_tenant: string) => ['t_x_local']) };
  const storage = { deletePrefix: jest.fn(async (_prefix: string) => 2) };
  const fairness = { forgetTenant: jest.fn(async (_tenant: string) => undefined) };
  const logger = { info: jest.fn(), warn: jest.fn() };
  const service = new TenantLifecycleService(
    vectors as unknown as ChromaVectorStore,
    fairness as unknown as TenantFairness,
    storage as unknown as ObjectStorage,
    logger as unknown as Logger,
  );
  return { service, vectors, storage, fairness };
}

describe('TenantLifecycleService', () => {
  it('removes the deleted tenant’s vectors, files and queue bookkeeping, and only its', async () => {
    const { service, vectors, storage, fairness } = lifecycleService();
    await service.removeDeletedTenant(TENANT);
    expect(vectors.deleteTenant).toHaveBeenCalledWith(TENANT);
    expect(storage.deletePrefix).toHaveBeenCalledWith(`${TENANT}/`);
    expect(fairness.forgetTenant).toHaveBeenCalledWith(TENANT);
  });

  it('rides out a failure of Chroma by trying again', async () => {
    const { service, vectors, fairness } = lifecycleService();
    vectors.deleteTenant.mockRejectedValueOnce(new Error('Chroma is restarting'));
    await service.removeDeletedTenant(TENANT);
    expect(vectors.deleteTenant).toHaveBeenCalledTimes(2);
    expect(fairness.forgetTenant).toHaveBeenCalledTimes(1);
  });
});
