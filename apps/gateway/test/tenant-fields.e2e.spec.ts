import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ragSettingsSchema, rateLimitsSchema, tenantUpdateSchema } from '@tenantbot/contracts';
import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TenantJson = any;

interface FieldRule {
  /** A tenant field, nested ones as `rag.top_k`. */
  field: string;
  /** Whether a tenant admin may write it through PUT /tenants/me (the super admin always may). */
  tenantAdmin: boolean;
  /** Two values: the tenant admin tries the first, the super admin writes the second. */
  values: [unknown, unknown];
  body: (value: unknown) => object;
  /** The field as GET /tenants/{id} shows it after a write of `value`. */
  read: (tenant: TenantJson) => unknown;
  shown?: (value: unknown) => unknown;
  /** Puts back what the other checks need (the fixture's slug, an active tenant). */
  restore?: (fixture: TenantFixture) => object;
}

const suffix = randomUUID().slice(0, 6);
const nested = (parent: 'rag' | 'rate_limits', key: string) => ({
  body: (value: unknown) => ({ [parent]: { [key]: value } }),
  read: (tenant: TenantJson) => tenant[parent][key],
});
const plain = (field: string) => ({
  body: (value: unknown) => ({ [field]: value }),
  read: (tenant: TenantJson) => tenant[field],
});

/**
 * Every field of a tenant and who may write it. A field missing here fails the coverage
 * test below, so fields added later must take a side.
 */
const FIELDS: FieldRule[] = [
  { field: 'name', tenantAdmin: true, values: ['Renamed', 'Renamed again'], ...plain('name') },
  {
    field: 'system_prompt',
    tenantAdmin: true,
    values: ['Be brief.', 'Be kind.'],
    ...plain('system_prompt'),
  },
  {
    field: 'default_model',
    tenantAdmin: true,
    values: ['gpt-4o-mini', 'local-extractive'],
    ...plain('default_model'),
  },
  {
    field: 'allowed_origins',
    tenantAdmin: true,
    values: [['https://a.example'], ['https://b.example']],
    ...plain('allowed_origins'),
  },
  {
    field: 'domains',
    tenantAdmin: true,
    values: [[`own-${suffix}.example.com`], [`set-${suffix}.example.com`]],
    ...plain('domains'),
  },
  {
    field: 'provider_keys',
    tenantAdmin: true,
    values: ['sk-tenant-own-key', null],
    body: (value) => ({ provider_keys: { openai: value } }),
    read: (tenant) => tenant.provider_keys.openai,
    shown: (value) => value !== null,
  },
  {
    field: 'email',
    tenantAdmin: true,
    values: ['help@acme.example', 'owner@acme.example'],
    ...plain('email'),
  },
  { field: 'phone', tenantAdmin: true, values: ['+33 1 23 45 67 89', null], ...plain('phone') },
  {
    field: 'website',
    tenantAdmin: true,
    values: ['https://acme.example/about', 'http://acme.example'],
    ...plain('website'),
  },
  {
    field: 'logo_url',
    tenantAdmin: true,
    values: ['https://cdn.acme.example/logo.png', null],
    ...plain('logo_url'),
  },
  {
    field: 'rag.chunk_size',
    tenantAdmin: true,
    values: [500, 600],
    ...nested('rag', 'chunk_size'),
  },
  {
    field: 'rag.chunk_overlap',
    tenantAdmin: true,
    values: [40, 60],
    ...nested('rag', 'chunk_overlap'),
  },
  { field: 'rag.top_k', tenantAdmin: true, values: [7, 9], ...nested('rag', 'top_k') },
  {
    field: 'rag.embedding_provider',
    tenantAdmin: false,
    values: ['openai', 'openai'],
    ...nested('rag', 'embedding_provider'),
  },
  { field: 'plan', tenantAdmin: false, values: ['free', 'premium'], ...plain('plan') },
  {
    field: 'is_active',
    tenantAdmin: false,
    values: [false, false],
    ...plain('is_active'),
    restore: () => ({ is_active: true }),
  },
  {
    field: 'slug',
    tenantAdmin: false,
    values: [`taken-${suffix}`, `renamed-${suffix}`],
    ...plain('slug'),
    restore: (fixture) => ({ slug: fixture.slug }),
  },
  {
    field: 'allowed_models',
    tenantAdmin: false,
    values: [['gpt-4o'], ['local-extractive']],
    ...plain('allowed_models'),
  },
  {
    field: 'rate_limits.requests_per_minute',
    tenantAdmin: false,
    values: [1_000_000, 900_000],
    ...nested('rate_limits', 'requests_per_minute'),
  },
  {
    field: 'rate_limits.requests_per_hour',
    tenantAdmin: false,
    values: [100_000_000, 90_000_000],
    ...nested('rate_limits', 'requests_per_hour'),
  },
  {
    field: 'rate_limits.tokens_per_day',
    tenantAdmin: false,
    values: [10_000_000_000, 5_000_000],
    ...nested('rate_limits', 'tokens_per_day'),
  },
  {
    field: 'rate_limits.monthly_budget_usd',
    tenantAdmin: false,
    values: [10_000_000, 250],
    ...nested('rate_limits', 'monthly_budget_usd'),
  },
];

const OTHER_ROLES = ['agent', 'user', 'readonly'] as const;

describe('who may write each tenant field (e2e over HTTP)', () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let tenant: TenantFixture;
  let apiKeyClient: ApiClient;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['tenants'] });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    tenant = await createTenantWithUsers(superAdmin, 'fields');
    const key = await tenant.as.tenant_admin.post('/api/v1/api-keys', {
      name: 'fields',
      role: 'tenant_admin',
    });
    apiKeyClient = new ApiClient(stack.baseUrl, key.body.key);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const current = async () => (await superAdmin.get(`/api/v1/tenants/${tenant.id}`)).body;

  it('lists every field of the tenant update schema', () => {
    const expanded = Object.keys(tenantUpdateSchema.shape).flatMap((field) =>
      field === 'rag'
        ? Object.keys(ragSettingsSchema.shape).map((key) => `rag.${key}`)
        : field === 'rate_limits'
          ? Object.keys(rateLimitsSchema.shape).map((key) => `rate_limits.${key}`)
          : [field],
    );
    expect(FIELDS.map((rule) => rule.field).sort()).toEqual(expanded.sort());
  });

  it.each(FIELDS.map((rule) => [rule.field, rule] as const))(
    '%s: written by the super admin, by a tenant admin only if allowed, by no other role',
    async (_field, rule) => {
      const shown = rule.shown ?? ((value: unknown) => value);
      const [ownValue, superValue] = rule.values;
      const before = await current();

      for (const role of OTHER_ROLES) {
        const response = await tenant.as[role].put('/api/v1/tenants/me', rule.body(ownValue));
        expect({ role, status: response.status, code: response.body.code }).toEqual({
          role,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
      const viaOwnId = await tenant.as.tenant_admin.put(
        `/api/v1/tenants/${tenant.id}`,
        rule.body(ownValue),
      );
      expect(viaOwnId).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect(rule.read(await current())).toEqual(rule.read(before));

      const byTenantAdmin = await tenant.as.tenant_admin.put(
        '/api/v1/tenants/me',
        rule.body(ownValue),
      );
      if (rule.tenantAdmin) {
        expect(byTenantAdmin.status).toBe(200);
        expect(rule.read(await current())).toEqual(shown(ownValue));
      } else {
        expect(byTenantAdmin).toMatchObject({
          status: 403,
          body: { code: 'FIELD_NOT_WRITABLE', details: { fields: [rule.field] } },
        });
        expect(rule.read(await current())).toEqual(rule.read(before));
        // An API key with the tenant_admin role is refused the same way.
        const byKey = await apiKeyClient.put('/api/v1/tenants/me', rule.body(ownValue));
        expect(byKey).toMatchObject({ status: 403, body: { code: 'FIELD_NOT_WRITABLE' } });
      }

      const bySuperAdmin = await superAdmin.put(
        `/api/v1/tenants/${tenant.id}`,
        rule.body(superValue),
      );
      expect(bySuperAdmin.status).toBe(200);
      expect(rule.read(await current())).toEqual(shown(superValue));
      if (rule.restore) {
        const restored = await superAdmin.put(`/api/v1/tenants/${tenant.id}`, rule.restore(tenant));
        expect(restored.status).toBe(200);
      }
    },
  );

  it('refuses a mixed update whole, naming only the fields a tenant admin may not write', async () => {
    const before = await current();
    const response = await tenant.as.tenant_admin.put('/api/v1/tenants/me', {
      name: 'Sneaky',
      plan: 'enterprise',
      rate_limits: { requests_per_minute: 1_000_000 },
      rag: { top_k: 3, embedding_provider: 'openai' },
    });

    expect(response).toMatchObject({ status: 403, body: { code: 'FIELD_NOT_WRITABLE' } });
    expect([...response.body.details.fields].sort()).toEqual(
      ['plan', 'rag.embedding_provider', 'rate_limits.requests_per_minute'].sort(),
    );
    expect(await current()).toEqual(before);
  });

  it('lets the super admin write a super-admin field through PUT /tenants/me too', async () => {
    const inTenant = superAdmin.as(superAdmin.token, tenant.id);
    const response = await inTenant.put('/api/v1/tenants/me', { plan: 'enterprise' });
    expect(response).toMatchObject({ status: 200, body: { plan: 'enterprise' } });
  });

  it.each([
    ['email', 'not-an-email'],
    ['phone', 'call me maybe'],
    ['website', 'javascript:alert(1)'],
    ['logo_url', 'http://cdn.example/logo.png'],
    ['logo_url', 'data:image/png;base64,AAAA'],
  ])('refuses a malformed %s (%s) with 400 naming it, and writes nothing', async (field, value) => {
    const before = await current();
    const response = await tenant.as.tenant_admin.put('/api/v1/tenants/me', {
      name: 'Half written',
      [field]: value,
    });
    expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(JSON.stringify(response.body)).toContain(field);
    expect(await current()).toEqual(before);
  });

  it('shows a tenant’s contact details to its own admin only', async () => {
    const other = await createTenantWithUsers(superAdmin, 'fields-other');
    await tenant.as.tenant_admin.put('/api/v1/tenants/me', { email: 'private@acme.example' });
    const own = await tenant.as.tenant_admin.get('/api/v1/tenants/me');
    expect(own.body.email).toBe('private@acme.example');
    const theirs = await other.as.tenant_admin.get('/api/v1/tenants/me');
    expect(theirs.body.email).toBeNull();
    const byId = await other.as.tenant_admin.get(`/api/v1/tenants/${tenant.id}`);
    expect(byId.status).toBe(403);
    expect(JSON.stringify(byId.body)).not.toContain('private@acme.example');
  });

  it('still answers malformed values with 400, before any permission check', async () => {
    const response = await tenant.as.tenant_admin.put('/api/v1/tenants/me', { plan: 'platinum' });
    expect(response).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});
