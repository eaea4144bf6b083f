import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  type PlatformCaller,
  platformUsersQuerySchema,
  type Role,
  type TenantId,
} from '@tenantbot/contracts';

import { AuthService } from '../../src/auth/auth.service';
import { PlatformService } from '../../src/platform/platform.service';
import { UserService } from '../../src/user/user.service';
import { callerOf, expectCode, superAdmin, TenantsTestApp } from '../support/tenants-test-app';

describe("the super admin's users of every company, in process", () => {
  let app: TenantsTestApp;
  let platform: PlatformService;
  let tenantA: TenantId;
  let tenantB: TenantId;
  const made: Record<string, string> = {};

  /** Parsed as the handler's @ValidPayload parses it. */
  const users = (query: Record<string, unknown>, caller: PlatformCaller = superAdmin()) =>
    platform.users(caller, platformUsersQuerySchema.parse(query));
  const names = (page: { items: { username: string }[] }) =>
    page.items.map((item) => item.username);

  beforeAll(async () => {
    app = await TenantsTestApp.start();
    platform = app.get(PlatformService);
    const userService = app.get(UserService);
    [tenantA, tenantB] = [await app.createTenant('Acme'), await app.createTenant('Rival')];
    const create = async (tenant: TenantId | undefined, username: string, role: Role) => {
      made[username] = (
        await userService.create(superAdmin(tenant), {
          username,
          email: `${username}@mail.example`,
          password: 'a long passphrase',
          role,
          is_active: true,
        })
      ).id;
    };
    // In order: the oldest account comes first.
    await create(tenantA, 'ada_admin', 'tenant_admin');
    await create(tenantA, 'abe_agent', 'agent');
    await create(tenantA, 'una_user', 'user');
    await create(tenantB, 'rob_agent', 'agent');
    await create(undefined, 'root_admin', 'super_admin');
  });

  afterAll(() => app?.stop());

  it('lists agents and tenant admins of every company, with the company, by default', async () => {
    const page = await users({});
    expect(names(page)).toEqual(['ada_admin', 'abe_agent', 'rob_agent']);
    expect(page.total).toBe(3);
    expect(page.items[2]).toMatchObject({
      id: made.rob_agent,
      company: { id: tenantB, name: 'Rival' },
      email: 'rob_agent@mail.example',
      role: 'agent',
      is_active: true,
    });
    expect(page.items[2].company.slug).toMatch(/^t-/);
  });

  it('filters by company, role and name, and pages with a total', async () => {
    expect(names(await users({ tenant_id: tenantA }))).toEqual(['ada_admin', 'abe_agent']);
    expect(names(await users({ role: 'user' }))).toEqual(['una_user']);
    expect(names(await users({ role: 'agent', tenant_id: tenantB }))).toEqual(['rob_agent']);
    expect(names(await users({ q: 'MAIL.EXAMPLE', role: 'tenant_admin' }))).toEqual(['ada_admin']);
    expect(names(await users({ q: 'rob' }))).toEqual(['rob_agent']);
    // `_` is a character, not a wildcard.
    expect((await users({ q: 'r_b' })).total).toBe(0); // as a wildcard it would match rob
    const second = await users({ limit: 1, offset: 1 });
    expect([second.total, second.limit, second.offset, names(second)]).toEqual([
      3,
      1,
      1,
      ['abe_agent'],
    ]);
  });

  it('shows when a user last signed in with a password, and null before', async () => {
    const before = await users({ tenant_id: tenantB });
    expect(before.items[0].last_login_at).toBeNull();
    const slug = (await app.owner.query(`SELECT slug FROM tenants WHERE id = $1`, [tenantB]))
      .rows[0].slug as string;
    await app.get(AuthService).login({
      tenant_ref: slug,
      username: 'rob_agent',
      password: 'a long passphrase',
      client_ip: '192.0.2.7',
    });
    const after = (await users({ tenant_id: tenantB })).items[0];
    expect(Date.now() - Date.parse(after.last_login_at ?? '')).toBeLessThan(60_000);
    // Signing in changes no detail of the account.
    expect(after.updated_at).toBe(before.items[0].updated_at);
    expect((await users({ tenant_id: tenantA })).items.map((u) => u.last_login_at)).toEqual([
      null,
      null,
    ]);
  });

  it('names companies by id for other views, leaving unknown ids out', async () => {
    const { items } = await platform.companies(superAdmin(), [
      tenantB,
      tenantA,
      tenantA,
      '00000000-0000-4000-8000-000000000000',
    ]);
    expect(items.map((company) => [company.id, company.name])).toEqual([
      [tenantA, 'Acme'],
      [tenantB, 'Rival'],
    ]);
  });

  it("refuses every other role, even a tenant admin asking for its own company's", async () => {
    for (const role of ['tenant_admin', 'agent', 'user', 'readonly'] as const) {
      await expectCode(users({ tenant_id: tenantA }, callerOf(role, tenantA)), 'FORBIDDEN');
      await expectCode(platform.companies(callerOf(role, tenantA), [tenantB]), 'FORBIDDEN');
    }
  });
});
