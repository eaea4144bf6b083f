import { describe, expect, it, jest } from '@jest/globals';

import { ErrorCode, type PlatformCaller, tenantIdOf } from '@tenantbot/contracts';
import type { PlatformScope, TenantDatabase } from '@tenantbot/database';

import type { AccessChanges } from '../events/access-changes';
import type { RefreshTokenRepository } from '../session/refresh-token.repository';
import type { UserRecord, UserRepository } from './user.repository';
import { UserService } from './user.service';

const TENANT = tenantIdOf('6f1c2a4e-8b7d-4c3e-9f00-1a2b3c4d5e6f');
const USER_ID = '0b0c6a2e-1111-4c3e-9f00-1a2b3c4d5e6f';

const user: UserRecord = {
  id: USER_ID,
  tenant_id: TENANT,
  username: 'ann',
  email: null,
  password_hash: 'hash',
  role: 'user',
  is_active: true,
  created_at: new Date(0),
  updated_at: new Date(0),
  last_login_at: null,
};

function serviceWithFakes() {
  const tenantTx = { scope: 'tenant' };
  const platformTx = { scope: 'platform' };
  const database = {
    transaction: jest.fn((_tenant: unknown, work: (tx: unknown) => unknown) => work(tenantTx)),
  };
  const platform = { transaction: jest.fn((work: (tx: unknown) => unknown) => work(platformTx)) };
  const users = {
    list: jest.fn(async (..._args: unknown[]) => ({
      items: [user],
      total: 1,
      limit: 5,
      offset: 0,
    })),
    findById: jest.fn(async (..._args: unknown[]) => user),
    insert: jest.fn(async (..._args: unknown[]) => USER_ID),
    update: jest.fn(async (..._args: unknown[]) => undefined),
  };
  const refreshTokens = { revokeAllOfUser: jest.fn(async (..._args: unknown[]) => undefined) };
  const accessChanges = { announce: jest.fn(async (..._args: unknown[]) => undefined) };
  const service = new UserService(
    database as unknown as TenantDatabase,
    platform as unknown as PlatformScope,
    users as unknown as UserRepository,
    refreshTokens as unknown as RefreshTokenRepository,
    accessChanges as unknown as AccessChanges,
  );
  return { service, tenantTx, platformTx, database, platform, users, refreshTokens, accessChanges };
}

const caller = (role: PlatformCaller['role'], tenantId?: typeof TENANT): PlatformCaller => ({
  requestId: 'r',
  role,
  tenantId,
  userId: 'caller',
});

describe('UserService', () => {
  it('works in the caller’s tenant, and across the platform only for a super admin naming none', async () => {
    const { service, users, tenantTx, platformTx } = serviceWithFakes();
    await service.list(caller('tenant_admin', TENANT), { limit: 5, offset: 0 });
    expect(users.list).toHaveBeenLastCalledWith(tenantTx, { limit: 5, offset: 0 });
    await service.list(caller('super_admin'), { limit: 5, offset: 0 });
    expect(users.list).toHaveBeenLastCalledWith(platformTx, { limit: 5, offset: 0 });
    await expect(
      service.list(caller('tenant_admin'), { limit: 5, offset: 0 }),
    ).rejects.toMatchObject({ code: ErrorCode.TENANT_REQUIRED });
  });

  it('refuses other roles before touching the database', async () => {
    const { service, database, platform } = serviceWithFakes();
    await expect(service.get(caller('agent', TENANT), USER_ID)).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    expect(database.transaction).not.toHaveBeenCalled();
    expect(platform.transaction).not.toHaveBeenCalled();
  });

  it('lets nobody grant more than they hold', async () => {
    const { service, users } = serviceWithFakes();
    await expect(
      service.create(caller('tenant_admin', TENANT), {
        username: 'root',
        password: 'password-1',
        role: 'super_admin',
        is_active: true,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(users.insert).not.toHaveBeenCalled();
  });

  it('ends the sessions of a user whose rights change, and announces it', async () => {
    const { service, refreshTokens, accessChanges, tenantTx } = serviceWithFakes();
    await service.update(caller('tenant_admin', TENANT), USER_ID, { is_active: false });
    expect(refreshTokens.revokeAllOfUser).toHaveBeenCalledWith(tenantTx, USER_ID);
    expect(accessChanges.announce).toHaveBeenCalledWith({
      kind: 'user',
      tenantId: TENANT,
      userId: USER_ID,
    });
  });

  it('refuses to delete the caller’s own account', async () => {
    const { service } = serviceWithFakes();
    await expect(
      service.delete({ ...caller('tenant_admin', TENANT), userId: USER_ID }, USER_ID),
    ).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
  });
});
