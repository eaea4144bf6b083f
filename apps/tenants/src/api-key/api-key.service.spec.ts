import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, ErrorCode, tenantIdOf } from '@tenantbot/contracts';

import type { AccessChanges } from '../events/access-changes';
import { sha256 } from '../security/opaque-tokens';
import type { ApiKeyRecord, ApiKeyRepository, NewApiKey } from './api-key.repository';
import { ApiKeyService } from './api-key.service';

const TENANT = tenantIdOf('6f1c2a4e-8b7d-4c3e-9f00-1a2b3c4d5e6f');
const admin: Caller = { requestId: 'r', tenantId: TENANT, role: 'tenant_admin', userId: 'u1' };

function serviceWithFakes() {
  const apiKeys = {
    insert: jest.fn(async (_tenant: unknown, key: NewApiKey): Promise<ApiKeyRecord> => ({
      ...key,
      id: 'k1',
      revoked_at: null,
      last_used_at: null,
      created_at: new Date(0),
    })),
    revoke: jest.fn(async (..._args: unknown[]) => false),
    listActive: jest.fn(async (..._args: unknown[]) => []),
  };
  const accessChanges = { announce: jest.fn(async (..._args: unknown[]) => undefined) };
  const service = new ApiKeyService(
    apiKeys as unknown as ApiKeyRepository,
    accessChanges as unknown as AccessChanges,
  );
  return { service, apiKeys, accessChanges };
}

describe('ApiKeyService', () => {
  it('shows the secret once and stores only its hash, in the caller’s tenant', async () => {
    const { service, apiKeys } = serviceWithFakes();
    const created = await service.create(admin, { name: 'ci', role: 'agent' });
    const [, prefix, secret] = /^tbk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/.exec(created.key) ?? [];
    expect(prefix).toBe(created.prefix);
    const [tenant, stored] = apiKeys.insert.mock.calls[0];
    expect(tenant).toBe(TENANT);
    expect(stored).toMatchObject({
      tenant_id: TENANT,
      secret_hash: sha256(secret),
      created_by: 'u1',
    });
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it('refuses roles below tenant admin, and an unknown key', async () => {
    const { service, apiKeys, accessChanges } = serviceWithFakes();
    await expect(service.list({ ...admin, role: 'agent' })).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    expect(apiKeys.listActive).not.toHaveBeenCalled();
    await expect(service.revoke(admin, 'k9')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(accessChanges.announce).not.toHaveBeenCalled();
  });
});
