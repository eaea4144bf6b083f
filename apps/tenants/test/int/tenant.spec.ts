import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ErrorCode, TENANT_EVENTS, type TenantId } from '@tenantbot/contracts';

import { RegistrationService } from '../../src/registration/registration.service';
import { StatsService } from '../../src/stats/stats.service';
import { TenantService } from '../../src/tenant/tenant.service';
import { UserService } from '../../src/user/user.service';
import {
  callerOf,
  expectCode,
  superAdmin,
  tenantAdmin,
  TenantsTestApp,
} from '../support/tenants-test-app';

describe('tenants in process: tenants, their settings and the counts', () => {
  let app: TenantsTestApp;
  let tenants: TenantService;
  let tenantA: TenantId;
  let tenantB: TenantId;

  beforeAll(async () => {
    app = await TenantsTestApp.start({
      ALLOW_SELF_REGISTRATION: 'true',
      MODEL_CATALOG_JSON: JSON.stringify({
        models: [
          {
            id: 'llama-3.3-70b',
            provider: 'openai',
            context_window: 64_000,
            input_usd_per_million: 0.6,
            output_usd_per_million: 0.9,
          },
        ],
      }),
    });
    tenants = app.get(TenantService);
    const created = await Promise.all([
      tenants.create(superAdmin(), { name: 'Acme', slug: 'acme', plan: 'basic', is_active: true }),
      tenants.create(superAdmin(), { name: 'Beta', slug: 'beta', plan: 'free', is_active: true }),
    ]);
    [tenantA, tenantB] = created.map((tenant) => tenant.id as TenantId);
  });

  afterAll(async () => {
    await app.stop();
  });

  it('lets the super admin list, read and update any tenant', async () => {
    const page = await tenants.list(superAdmin(), { limit: 10, offset: 0 });
    expect(page.items.map((tenant) => tenant.slug).sort()).toEqual(['acme', 'beta']);
    expect(page.total).toBe(2);

    const updated = await tenants.update(superAdmin(), tenantA, {
      plan: 'premium',
      domains: ['chat.acme.example'],
      provider_keys: { openai: 'sk-test' },
    });
    expect(updated).toMatchObject({
      plan: 'premium',
      domains: ['chat.acme.example'],
      provider_keys: { openai: true, anthropic: false },
    });
    expect(await tenants.get(superAdmin(), tenantA)).toEqual(updated);
    // Provider keys are stored sealed and opened only for the services acting for the tenant.
    const { rows } = await app.owner.query(`SELECT provider_keys FROM tenants WHERE id = $1`, [
      tenantA,
    ]);
    expect(JSON.stringify(rows[0])).not.toContain('sk-test');
    expect((await tenants.runtimeConfig(tenantA)).provider_keys).toEqual({ openai: 'sk-test' });
  });

  it('refuses allowed_models and default_model outside the model catalog, changing nothing', async () => {
    const before = await tenants.get(superAdmin(), tenantB);
    await expect(
      tenants.update(superAdmin(), tenantB, { allowed_models: ['local', 'gpt-4o'] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'allowed_models', message: '"local" is not in the model catalog' }],
    });
    await expect(
      tenants.create(superAdmin(), {
        name: 'Gamma',
        slug: 'gamma',
        plan: 'free',
        is_active: true,
        default_model: 'gpt-imaginary',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'default_model' }] });
    expect(await tenants.get(superAdmin(), tenantB)).toEqual(before);

    // Aliases and the operator's own models (MODEL_CATALOG_JSON) are in the catalog.
    const updated = await tenants.update(superAdmin(), tenantB, {
      allowed_models: ['gpt-3.5-turbo', 'llama-3.3-70b'],
      default_model: 'llama-3.3-70b',
    });
    expect(updated.allowed_models).toEqual(['gpt-3.5-turbo', 'llama-3.3-70b']);
    await tenants.update(superAdmin(), tenantB, { allowed_models: [], default_model: null });
  });

  it('refuses the platform views to everyone but the super admin', async () => {
    await expectCode(tenants.list(tenantAdmin(tenantA), { limit: 10, offset: 0 }), 'FORBIDDEN');
    await expectCode(tenants.get(tenantAdmin(tenantA), tenantB), 'FORBIDDEN');
    await expectCode(
      tenants.create(tenantAdmin(tenantA), { name: 'X', slug: 'x', plan: 'free', is_active: true }),
      'FORBIDDEN',
    );
    await expectCode(tenants.delete(tenantAdmin(tenantA), tenantB), 'FORBIDDEN');
  });

  it('shows and edits a tenant admin its own tenant only, and only its writable fields', async () => {
    expect((await tenants.getOwn(tenantAdmin(tenantB))).slug).toBe('beta');
    const renamed = await tenants.updateOwn(tenantAdmin(tenantB), { name: 'Beta GmbH' });
    expect(renamed).toMatchObject({ id: tenantB, name: 'Beta GmbH' });
    expect((await tenants.getOwn(tenantAdmin(tenantA))).name).toBe('Acme');

    await expectCode(
      tenants.updateOwn(tenantAdmin(tenantB), { plan: 'enterprise' }),
      ErrorCode.FIELD_NOT_WRITABLE,
    );
    await expectCode(tenants.getOwn(callerOf('user', tenantB)), 'FORBIDDEN');
    await expectCode(
      tenants.getOwn({ ...tenantAdmin(tenantB), tenantId: undefined }),
      'TENANT_REQUIRED',
    );
  });

  it('refuses another tenant’s verified domain, and a duplicate slug', async () => {
    await expectCode(
      tenants.updateOwn(tenantAdmin(tenantB), { domains: ['chat.acme.example'] }),
      'CONFLICT',
    );
    await expectCode(tenants.update(superAdmin(), tenantB, { slug: 'acme' }), 'CONFLICT');
    // A pending claim of another tenant's domain does not block.
    await tenants.updateOwn(tenantAdmin(tenantA), {
      domains: ['chat.acme.example', 'help.example.org'],
    });
    expect(
      (await tenants.updateOwn(tenantAdmin(tenantB), { domains: ['help.example.org'] })).domains,
    ).toEqual(['help.example.org']);
  });

  it('counts the caller’s tenant, or the platform for a super admin naming none', async () => {
    const users = app.get(UserService);
    await users.create(tenantAdmin(tenantA), {
      username: 'ann',
      password: 'password-1',
      role: 'agent',
      is_active: true,
    });
    await users.create(tenantAdmin(tenantB), {
      username: 'bob',
      password: 'password-1',
      role: 'user',
      is_active: true,
    });
    const statistics = app.get(StatsService);
    expect(await statistics.stats(tenantAdmin(tenantA))).toEqual({
      users: { total: 1, by_role: { agent: 1 } },
    });
    const platform = await statistics.stats(superAdmin());
    expect(platform.tenants).toMatchObject({ total: 2, active: 2, inactive: 0 });
    // The bootstrapped super admin, Ann and Bob.
    expect(platform.users).toEqual({ total: 3, by_role: { super_admin: 1, agent: 1, user: 1 } });
    await expectCode(statistics.stats(callerOf('agent', tenantA)), 'FORBIDDEN');
  });

  it('deletes a tenant with its users and announces it through the outbox', async () => {
    const doomed = await tenants.create(superAdmin(), {
      name: 'Doomed',
      slug: 'doomed',
      plan: 'free',
      is_active: true,
    });
    const id = doomed.id as TenantId;
    await app.get(UserService).create(tenantAdmin(id), {
      username: 'dee',
      password: 'password-1',
      role: 'user',
      is_active: true,
    });
    await tenants.delete(superAdmin(), id);
    const { rows } = await app.owner.query(
      `SELECT count(*)::int AS n FROM users WHERE tenant_id = $1`,
      [id],
    );
    expect(rows[0].n).toBe(0);
    await expectCode(tenants.get(superAdmin(), id), 'TENANT_NOT_FOUND');
    await expectCode(tenants.delete(superAdmin(), id), 'TENANT_NOT_FOUND');
    // Relayed (and deleted) soon after, or still pending: either way it was recorded.
    const outbox = await app.owner.query(`SELECT pattern FROM event_outbox`);
    expect(
      outbox.rows.every((row: { pattern: string }) => row.pattern === TENANT_EVENTS.DELETED),
    ).toBe(true);
  });

  it('registers a company: its tenant and first admin together, in the new tenant', async () => {
    const registration = app.get(RegistrationService);
    const admin = { username: 'founder', email: 'founder@gamma.example', password: 'password-1' };
    const { tenant, tokens } = await registration.register({
      company_name: 'Gamma',
      slug: 'gamma',
      admin,
    });
    expect(tenant).toMatchObject({ slug: 'gamma', plan: 'free', is_active: true });
    expect(tokens.refresh_token).toMatch(/^tbr_/);
    const { rows } = await app.owner.query(
      `SELECT role FROM users WHERE tenant_id = $1 AND username = 'founder'`,
      [tenant.id],
    );
    expect(rows).toEqual([{ role: 'tenant_admin' }]);
    await expectCode(
      registration.register({ company_name: 'Again', slug: 'gamma', admin }),
      'CONFLICT',
    );
  });
});
