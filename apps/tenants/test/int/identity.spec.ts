import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { TenantId } from '@tenantbot/contracts';

import { ApiKeyService } from '../../src/api-key/api-key.service';
import { AuthService } from '../../src/auth/auth.service';
import { UserService } from '../../src/user/user.service';
import {
  callerOf,
  expectCode,
  superAdmin,
  tenantAdmin,
  TenantsTestApp,
} from '../support/tenants-test-app';

const PASSWORD = 'correct horse battery';

describe('tenants in process: users, logins, sessions and API keys', () => {
  let app: TenantsTestApp;
  let auth: AuthService;
  let users: UserService;
  let apiKeys: ApiKeyService;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let adminA: string;

  beforeAll(async () => {
    app = await TenantsTestApp.start({
      LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3',
      SUPER_ADMIN_PASSWORD: 'an admin password',
    });
    [auth, users, apiKeys] = [app.get(AuthService), app.get(UserService), app.get(ApiKeyService)];
    [tenantA, tenantB] = [await app.createTenant('A'), await app.createTenant('B')];
    adminA = (
      await users.create(superAdmin(tenantA), {
        username: 'alice',
        email: 'alice@a.example',
        password: PASSWORD,
        role: 'tenant_admin',
        is_active: true,
      })
    ).id;
    await users.create(superAdmin(tenantB), {
      username: 'alice',
      password: 'another password',
      role: 'user',
      is_active: true,
    });
  });

  afterAll(async () => {
    await app.stop();
  });

  const slugOf = async (tenantId: TenantId) =>
    (await app.owner.query(`SELECT slug FROM tenants WHERE id = $1`, [tenantId])).rows[0]
      .slug as string;

  it('logs a user in within the tenant its X-Tenant-ID names, by username or email', async () => {
    const tenant_ref = await slugOf(tenantA);
    const tokens = await auth.login({ username: 'Alice', password: PASSWORD, tenant_ref });
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      refresh_token: expect.stringMatching(/^tbr_/),
    });
    await auth.login({ email: 'alice@a.example', password: PASSWORD, tenant_ref: tenantA });
    // The same name in tenant B is another account, with another password.
    await expectCode(
      auth.login({ username: 'alice', password: PASSWORD, tenant_ref: await slugOf(tenantB) }),
      'UNAUTHORIZED',
    );
    await expectCode(
      auth.login({ username: 'alice', password: PASSWORD, tenant_ref: 'no-such-tenant' }),
      'TENANT_NOT_FOUND',
    );
  });

  it('logs the super admin in without a tenant', async () => {
    const tokens = await auth.login({ username: 'admin', password: 'an admin password' });
    expect(tokens.access_token).toBeTruthy();
  }, 20_000);

  it('blocks an account and address after repeated failures, before checking the password', async () => {
    const attempt = { username: 'alice', tenant_ref: tenantA, client_ip: '203.0.113.9' };
    for (let i = 0; i < 3; i += 1) {
      await expectCode(auth.login({ ...attempt, password: 'wrong password' }), 'UNAUTHORIZED');
    }
    await expectCode(auth.login({ ...attempt, password: PASSWORD }), 'RATE_LIMITED');
    await auth.login({ ...attempt, client_ip: '203.0.113.10', password: PASSWORD });
  });

  it('rotates refresh tokens and revokes the family when a spent one comes back', async () => {
    const first = await auth.login({ username: 'alice', password: PASSWORD, tenant_ref: tenantA });
    const second = await auth.refresh(first.refresh_token);
    await expectCode(auth.refresh(first.refresh_token), 'UNAUTHORIZED');
    await expectCode(auth.refresh(second.refresh_token), 'UNAUTHORIZED');

    const third = await auth.login({ username: 'alice', password: PASSWORD, tenant_ref: tenantA });
    await auth.logout(third.refresh_token);
    await expectCode(auth.refresh(third.refresh_token), 'UNAUTHORIZED');
  });

  it('authenticates a user on every request from the database, and answers me', async () => {
    const result = await auth.authenticate({ kind: 'jwt', user_id: adminA, tenant_id: tenantA });
    expect(result).toMatchObject({
      principal: { user_id: adminA, role: 'tenant_admin', tenant_id: tenantA },
      tenant: { id: tenantA, is_active: true },
    });
    await expectCode(
      auth.authenticate({ kind: 'jwt', user_id: adminA, tenant_id: tenantA, tenant_ref: tenantB }),
      'TENANT_MISMATCH',
    );
    const me = await auth.me({ ...tenantAdmin(tenantA), userId: adminA });
    expect(me).toMatchObject({
      kind: 'user',
      user: { username: 'alice' },
      tenant: { id: tenantA },
    });
  });

  it('confines a tenant admin to its own tenant’s users', async () => {
    const callerA = { ...tenantAdmin(tenantA), userId: adminA };
    const listA = await users.list(callerA, { limit: 50, offset: 0 });
    expect(listA.items.map((user) => user.tenant_id)).toEqual([tenantA]);
    const [bobOfB] = (await users.list(superAdmin(tenantB), { limit: 50, offset: 0 })).items;
    await expectCode(users.get(callerA, bobOfB.id), 'NOT_FOUND');
    await expectCode(users.update(callerA, bobOfB.id, { is_active: false }), 'NOT_FOUND');
    await expectCode(users.delete(callerA, bobOfB.id), 'NOT_FOUND');
    await expectCode(users.delete(callerA, adminA), 'CONFLICT');
    await expectCode(
      users.create(callerA, {
        username: 'root',
        password: PASSWORD,
        role: 'super_admin',
        is_active: true,
      }),
      'FORBIDDEN',
    );
    await expectCode(users.list(callerOf('agent', tenantA), { limit: 5, offset: 0 }), 'FORBIDDEN');
    // The super admin without a tenant sees the platform.
    const everyone = await users.list(superAdmin(), { limit: 50, offset: 0 });
    expect(everyone.total).toBe(3);
  });

  it('ends a user’s sessions when it is deactivated', async () => {
    const carol = await users.create(superAdmin(tenantA), {
      username: 'carol',
      password: PASSWORD,
      role: 'user',
      is_active: true,
    });
    const tokens = await auth.login({ username: 'carol', password: PASSWORD, tenant_ref: tenantA });
    await users.update({ ...tenantAdmin(tenantA), userId: adminA }, carol.id, { is_active: false });
    await expectCode(auth.refresh(tokens.refresh_token), 'UNAUTHORIZED');
    await expectCode(
      auth.authenticate({ kind: 'jwt', user_id: carol.id, tenant_id: tenantA }),
      'UNAUTHORIZED',
    );
  });

  it('issues API keys that authenticate in their tenant only, until revoked', async () => {
    const callerA = { ...tenantAdmin(tenantA), userId: adminA };
    const created = await apiKeys.create(callerA, { name: 'ci', role: 'agent' });
    const { principal, tenant } = await auth.authenticate({ kind: 'api_key', key: created.key });
    expect(principal).toMatchObject({ api_key_id: created.id, role: 'agent', tenant_id: tenantA });
    expect(tenant?.id).toBe(tenantA);
    await expectCode(
      auth.authenticate({ kind: 'api_key', key: created.key, tenant_ref: tenantB }),
      'TENANT_MISMATCH',
    );

    expect(await apiKeys.list(tenantAdmin(tenantB))).toEqual([]);
    await expectCode(apiKeys.revoke(tenantAdmin(tenantB), created.id), 'NOT_FOUND');
    await apiKeys.revoke(callerA, created.id);
    await expectCode(auth.authenticate({ kind: 'api_key', key: created.key }), 'UNAUTHORIZED');
  });
});
