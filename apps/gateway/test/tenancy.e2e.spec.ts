import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

import { TENANTS } from '@tenantbot/contracts';
import { createDataSource } from '@tenantbot/database';
import { runWithContext } from '@tenantbot/tenant-context';
import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

describe('tenants, users and isolation (e2e over HTTP)', () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let a: TenantFixture;
  let b: TenantFixture;
  let owner: DataSource;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['tenants'] });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [a, b] = await Promise.all([
      createTenantWithUsers(superAdmin, 'alpha'),
      createTenantWithUsers(superAdmin, 'bravo'),
    ]);
    owner = await createDataSource({
      url: stack.env.DATABASE_URL,
      poolSize: 1,
    }).initialize();
  });

  afterAll(async () => {
    await owner?.destroy();
    await stack?.stop();
  });

  describe('tenants', () => {
    it('lets the super admin create, read, update and list tenants with every field of API.md', async () => {
      const slug = `full-${randomUUID().slice(0, 8)}`;
      const created = await superAdmin.post('/api/v1/tenants/', {
        name: 'Full Co',
        slug,
        plan: 'premium',
        system_prompt: 'You are Full Co’s assistant.',
        default_model: 'gpt-4o-mini',
        allowed_models: ['gpt-4o-mini', 'local-extractive'],
        rate_limits: { requests_per_minute: 120, requests_per_hour: 5000, tokens_per_day: 200000 },
        rag: { chunk_size: 800, chunk_overlap: 80, top_k: 6, embedding_provider: 'local' },
        allowed_origins: ['https://full.example'],
        domains: [`chat.${slug}.example`],
        provider_keys: { openai: 'sk-secret-openai-123', anthropic: 'sk-ant-secret-456' },
      });

      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        slug,
        plan: 'premium',
        is_active: true,
        rag: { chunk_size: 800, top_k: 6 },
        domains: [`chat.${slug}.example`],
        provider_keys: { openai: true, anthropic: true },
      });
      expect(JSON.stringify(created.body)).not.toContain('sk-secret');

      const updated = await superAdmin.put(`/api/v1/tenants/${created.body.id}`, {
        plan: 'enterprise',
        provider_keys: { anthropic: null },
      });
      expect(updated.body).toMatchObject({
        plan: 'enterprise',
        provider_keys: { openai: true, anthropic: false },
      });
      expect((await superAdmin.get(`/api/v1/tenants/${created.body.id}`)).body.name).toBe(
        'Full Co',
      );

      const page = await superAdmin.get('/api/v1/tenants/?limit=2&offset=0');
      expect(page.body).toMatchObject({ limit: 2, offset: 0, total: expect.any(Number) });
      expect(page.body.items).toHaveLength(2);
      expect(page.body.total).toBeGreaterThanOrEqual(3);
    });

    it('stores provider keys encrypted (AES-256-GCM), never in clear', async () => {
      await superAdmin.put(`/api/v1/tenants/${a.id}`, {
        provider_keys: { openai: 'sk-plaintext-canary' },
      });
      const [row] = (await owner.query(
        `SELECT provider_keys::text AS keys FROM tenants WHERE id = $1`,
        [a.id],
      )) as {
        keys: string;
      }[];

      expect(row.keys).not.toContain('sk-plaintext-canary');
      expect(JSON.parse(row.keys).openai).toEqual({
        v: 1,
        iv: expect.any(String),
        tag: expect.any(String),
        data: expect.any(String),
      });
    });

    it('gives services (never HTTP) the runtime config of the tenant in context, keys opened', async () => {
      await superAdmin.put(`/api/v1/tenants/${a.id}`, {
        provider_keys: { anthropic: 'sk-ant-runtime' },
      });
      const transport = stack.transportClient();
      const asTenant = (tenantId: string) =>
        runWithContext({ requestId: randomUUID(), tenantId }, () =>
          transport.request(TENANTS.TENANT_RUNTIME_CONFIG, {}),
        );
      try {
        const configA = await asTenant(a.id);
        const configB = await asTenant(b.id);
        expect(configA).toMatchObject({ id: a.id, provider_keys: { anthropic: 'sk-ant-runtime' } });
        expect(configB.id).toBe(b.id);
        expect(configB.provider_keys.anthropic).toBeUndefined();
      } finally {
        await transport.close();
      }
    });

    it('lets a tenant admin read and edit its own tenant, but not its plan, status or slug', async () => {
      const admin = a.as.tenant_admin;
      expect((await admin.get('/api/v1/tenants/me')).body.id).toBe(a.id);

      const edited = await admin.put('/api/v1/tenants/me', {
        system_prompt: 'Answer like a pirate.',
      });
      expect(edited).toMatchObject({
        status: 200,
        body: { system_prompt: 'Answer like a pirate.' },
      });

      const escalation = await admin.put('/api/v1/tenants/me', {
        plan: 'enterprise',
        is_active: true,
      });
      expect(escalation).toMatchObject({
        status: 403,
        body: { code: 'FIELD_NOT_WRITABLE', details: { fields: ['plan', 'is_active'] } },
      });
      expect((await superAdmin.get(`/api/v1/tenants/${a.id}`)).body.plan).toBe('enterprise');
    });

    it('answers duplicates with 409 and leaves nothing half-created', async () => {
      const slug = `dup-${randomUUID().slice(0, 8)}`;
      const sameSlug = await superAdmin.post('/api/v1/tenants/', { name: 'Copy', slug: a.slug });
      const takenDomain = `taken-${randomUUID().slice(0, 6)}.example`;
      await superAdmin.put(`/api/v1/tenants/${b.id}`, { domains: [takenDomain] });
      const sameDomain = await superAdmin.post('/api/v1/tenants/', {
        name: 'Dup',
        slug,
        domains: [takenDomain],
      });

      expect(sameSlug).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
      expect(sameDomain).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
      expect(await owner.query(`SELECT 1 FROM tenants WHERE slug = $1`, [slug])).toEqual([]);
    });

    it('answers bad input with 400 naming the field', async () => {
      const cases: [string, unknown, RegExp][] = [
        [
          'unknown field',
          { name: 'X', slug: 'x-unknown', owner: 'me' },
          /unknown field\(s\): owner/,
        ],
        ['wrong type', { name: 'X', slug: 'x-type', plan: 42 }, /plan/],
        ['bad enum', { name: 'X', slug: 'x-enum', plan: 'platinum' }, /plan/],
        ['oversize', { name: 'x'.repeat(201), slug: 'x-long' }, /name/],
        ['bad slug', { name: 'X', slug: 'Not A Slug' }, /slug/],
        [
          'bad origin',
          { name: 'X', slug: 'x-origin', allowed_origins: ['javascript:alert(1)'] },
          /allowed_origins/,
        ],
      ];
      for (const [name, body, field] of cases) {
        const response = await superAdmin.post('/api/v1/tenants/', body);
        expect({ name, status: response.status, code: response.body.code }).toEqual({
          name,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(response.body.message).toMatch(field);
        expect(response.body.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
        );
      }
      const notAnId = await superAdmin.get('/api/v1/tenants/not-a-uuid');
      expect(notAnId).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      const malformed = await superAdmin.post('/api/v1/tenants/', '{"name": ');
      expect(malformed).toMatchObject({ status: 400, body: { code: 'MALFORMED_JSON' } });
    });

    it('deletes a tenant with its users and keys, and announces tenant.deleted to the other services', async () => {
      const doomed = await createTenantWithUsers(superAdmin, 'doomed');
      await doomed.as.tenant_admin.post('/api/v1/api-keys', { name: 'k' });

      expect((await superAdmin.delete(`/api/v1/tenants/${doomed.id}`)).status).toBe(204);

      expect((await superAdmin.get(`/api/v1/tenants/${doomed.id}`)).status).toBe(404);
      for (const table of ['users', 'api_keys', 'refresh_tokens', 'tenant_domains']) {
        expect(
          await owner.query(`SELECT 1 FROM ${table} WHERE tenant_id = $1`, [doomed.id]),
        ).toEqual([]);
      }
      expect((await doomed.as.tenant_admin.get('/api/v1/auth/me')).status).toBe(401);
      const redis = new Redis(String(process.env.REDIS_URL));
      const events = await redis.xrange(`${stack.env.REDIS_PREFIX}:evt:tenant.deleted`, '-', '+');
      redis.disconnect();
      expect(events.map(([, fields]) => JSON.parse(fields[1]).data)).toContainEqual({
        tenantId: doomed.id,
      });
      expect(await owner.query(`SELECT 1 FROM event_outbox`)).toEqual([]);
    });
  });

  describe('users', () => {
    it('lets a tenant admin manage its users, and never grant super_admin', async () => {
      const admin = a.as.tenant_admin;
      const created = await admin.post('/api/v1/admin/users', {
        username: 'newhire',
        email: 'newhire@alpha.test',
        password: 'long enough password',
        role: 'agent',
      });
      expect(created).toMatchObject({ status: 201, body: { tenant_id: a.id, role: 'agent' } });
      expect(created.body).not.toHaveProperty('password_hash');

      const promoted = await admin.put(`/api/v1/admin/users/${created.body.id}`, {
        role: 'readonly',
      });
      expect(promoted.body.role).toBe('readonly');
      const escalation = await admin.post('/api/v1/admin/users', {
        username: 'sneaky',
        password: 'long enough password',
        role: 'super_admin',
      });
      expect(escalation).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      const duplicate = await admin.post('/api/v1/admin/users', {
        username: 'NEWHIRE',
        password: 'long enough password',
      });
      expect(duplicate).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
      const withTenantField = await admin.post('/api/v1/admin/users', {
        username: 'x',
        password: 'long enough password',
        tenant_id: b.id,
      });
      expect(withTenantField).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

      expect((await admin.delete(`/api/v1/admin/users/${created.body.id}`)).status).toBe(204);
      expect((await admin.get(`/api/v1/admin/users/${created.body.id}`)).status).toBe(404);
    });

    it('lists only the tenant’s users for its admin, and everyone’s for the super admin', async () => {
      const own = await a.as.tenant_admin.get('/api/v1/admin/users?limit=200');
      expect(own.body.items.every((user: { tenant_id: string }) => user.tenant_id === a.id)).toBe(
        true,
      );
      const all = await superAdmin.get('/api/v1/admin/users?limit=200');
      const tenants = new Set(
        all.body.items.map((user: { tenant_id: string | null }) => user.tenant_id),
      );
      expect([...tenants]).toEqual(expect.arrayContaining([a.id, b.id, null]));
    });
  });

  describe('isolation: tenant B with tenant A’s ids', () => {
    it('gets 404 on every user route and leaves A’s rows untouched', async () => {
      const target = a.userIds.agent;
      const before = await owner.query(`SELECT * FROM users WHERE id = $1`, [target]);
      const bAdmin = b.as.tenant_admin;

      const responses = [
        await bAdmin.get(`/api/v1/admin/users/${target}`),
        await bAdmin.put(`/api/v1/admin/users/${target}`, {
          role: 'readonly',
          password: 'hijacked password',
        }),
        await bAdmin.delete(`/api/v1/admin/users/${target}`),
      ];

      expect(responses.map((response) => [response.status, response.body.code])).toEqual([
        [404, 'NOT_FOUND'],
        [404, 'NOT_FOUND'],
        [404, 'NOT_FOUND'],
      ]);
      expect(await owner.query(`SELECT * FROM users WHERE id = $1`, [target])).toEqual(before);
    });

    it('gets 404 revoking A’s API key, which keeps working', async () => {
      const key = await a.as.tenant_admin.post('/api/v1/api-keys', { name: 'a-key' });

      const attempt = await b.as.tenant_admin.delete(`/api/v1/api-keys/${key.body.id}`);

      expect(attempt).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect((await new ApiClient(stack.baseUrl, key.body.key).get('/api/v1/auth/me')).status).toBe(
        200,
      );
      const bKeys = await b.as.tenant_admin.get('/api/v1/api-keys');
      expect(bKeys.body.map((k: { id: string }) => k.id)).not.toContain(key.body.id);
    });

    it('cannot name tenant A in X-Tenant-ID, by id or slug', async () => {
      for (const reference of [a.id, a.slug]) {
        const response = await b.as.tenant_admin
          .as(b.as.tenant_admin.token, reference)
          .get('/api/v1/admin/users');
        expect(response).toMatchObject({ status: 403, body: { code: 'TENANT_MISMATCH' } });
      }
    });

    it('cannot read or change tenant A through the tenants routes', async () => {
      const before = await owner.query(`SELECT * FROM tenants WHERE id = $1`, [a.id]);
      expect((await b.as.tenant_admin.get(`/api/v1/tenants/${a.id}`)).status).toBe(403);
      expect(
        (await b.as.tenant_admin.put(`/api/v1/tenants/${a.id}`, { name: 'pwned' })).status,
      ).toBe(403);
      expect((await b.as.tenant_admin.delete(`/api/v1/tenants/${a.id}`)).status).toBe(403);
      expect((await b.as.tenant_admin.get('/api/v1/tenants/me')).body.id).toBe(b.id);
      expect(await owner.query(`SELECT * FROM tenants WHERE id = $1`, [a.id])).toEqual(before);
    });
  });
});
