import { describe, expect, it, jest } from '@jest/globals';

import { type PlatformCaller, platformUsersQuerySchema, tenantIdOf } from '@tenantbot/contracts';
import type { AcrossTenants, PlatformScope } from '@tenantbot/database';

import type { PlatformRepository, PlatformUserRecord } from './platform.repository';
import { PlatformService } from './platform.service';

const TENANT = tenantIdOf('3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a');
const PLATFORM = { platform: true } as unknown as PlatformScope;
const CREATED = new Date('2026-12-01T10:00:00Z');
const LOGIN = new Date('2026-12-05T08:30:00Z');
const COMPANY = { id: TENANT, name: 'Acme', slug: 'acme' };

const ana: PlatformUserRecord = {
  id: 'user-ana',
  company: COMPANY,
  username: 'ana',
  email: 'ana@acme.test',
  role: 'agent',
  is_active: true,
  last_login_at: LOGIN,
  created_at: CREATED,
  updated_at: CREATED,
};

function platformService() {
  const users = jest.fn(async (_scope: AcrossTenants, _query: unknown) => ({
    rows: [ana],
    total: 1,
  }));
  const companies = jest.fn(async (_scope: AcrossTenants, _ids: readonly string[]) => [COMPANY]);
  const repository = { users, companies } as unknown as PlatformRepository;
  return { service: new PlatformService(repository, PLATFORM), users, companies };
}

const caller = (role: PlatformCaller['role']): PlatformCaller => ({
  requestId: 'req-1',
  role,
  tenantId: role === 'super_admin' ? undefined : TENANT,
  userId: 'user-1',
});

describe('PlatformService', () => {
  const query = platformUsersQuerySchema.parse({});

  it('lists users across tenants for a super admin, dates as ISO strings', async () => {
    const { service, users } = platformService();
    await expect(service.users(caller('super_admin'), query)).resolves.toEqual({
      items: [
        {
          ...ana,
          last_login_at: LOGIN.toISOString(),
          created_at: CREATED.toISOString(),
          updated_at: CREATED.toISOString(),
        },
      ],
      total: 1,
      limit: 50,
      offset: 0,
    });
    expect(users).toHaveBeenCalledWith(PLATFORM, query);
  });

  it('looks each company up once', async () => {
    const { service, companies } = platformService();
    await expect(service.companies(caller('super_admin'), [TENANT, TENANT])).resolves.toEqual({
      items: [COMPANY],
    });
    expect(companies).toHaveBeenCalledWith(PLATFORM, [TENANT]);
  });

  it('refuses every other role before reading anything', async () => {
    for (const role of ['tenant_admin', 'agent', 'user', 'readonly'] as const) {
      const { service, users, companies } = platformService();
      await expect(service.users(caller(role), query)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(service.companies(caller(role), [TENANT])).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(users).not.toHaveBeenCalled();
      expect(companies).not.toHaveBeenCalled();
    }
  });
});
