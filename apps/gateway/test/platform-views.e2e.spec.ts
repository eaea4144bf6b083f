import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SITE = 'https://shop.platform-views.test';

describe("the super admin's views across companies (e2e over HTTP)", () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let rival: TenantFixture;
  let acmeName: string;
  let rivalName: string;
  const refused: Record<string, ApiClient> = {};

  const documentsOf = async (client: ApiClient, query = '') =>
    (await client.get(`/api/v1/platform/documents${query}`)).body;

  beforeAll(async () => {
    stack = await TestStack.start({
      env: { TRANSPORT_TIMEOUT_MS: '30000' },
      readyTimeoutMs: 90_000,
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, rival] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'rival'),
    ]);
    acmeName = (await superAdmin.get(`/api/v1/tenants/${acme.id}`)).body.name;
    rivalName = (await superAdmin.get(`/api/v1/tenants/${rival.id}`)).body.name;
    for (const [tenant, title] of [
      [acme, 'Acme returns policy'],
      [acme, 'Acme shipping'],
      [rival, 'Rival vault notes'],
    ] as const) {
      const created = await tenant.as.tenant_admin.post('/api/v1/rag/documents', {
        title,
        text: `${title}: the words of it.`,
      });
      expect(created.status).toBe(202);
    }
    const key = await acme.as.tenant_admin.post('/api/v1/api-keys', { name: 'ops', role: 'agent' });
    const widget = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Shop',
      allowed_origins: [SITE],
    });
    const session = await new ApiClient(stack.baseUrl)
      .withHeaders({ Origin: SITE })
      .post('/api/v1/widget/sessions', { key: widget.body.public_key });
    expect(session.status).toBe(201);
    Object.assign(refused, {
      tenant_admin: acme.as.tenant_admin,
      other_tenant_admin: rival.as.tenant_admin,
      agent: acme.as.agent,
      user: acme.as.user,
      readonly: acme.as.readonly,
      api_key: new ApiClient(stack.baseUrl, key.body.key),
      widget_visitor: new ApiClient(stack.baseUrl, session.body.token).withHeaders({
        Origin: SITE,
      }),
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the super admin the documents of both companies, named', async () => {
    const page = await documentsOf(superAdmin);
    expect(page.total).toBe(3);
    const rows = page.items.map((item: Json) => [item.title, item.company.id, item.company.name]);
    expect(rows).toEqual([
      ['Rival vault notes', rival.id, rivalName],
      ['Acme shipping', acme.id, acmeName],
      ['Acme returns policy', acme.id, acmeName],
    ]);
    expect(page.items[0]).toMatchObject({
      company: { slug: rival.slug },
      source: 'text',
      status: expect.stringMatching(/^(pending|processing|completed)$/),
      chunk_count: expect.any(Number),
      created_at: expect.any(String),
    });
    expect(page.items[0]).not.toHaveProperty('tenant_id');
  });

  it('filters documents by company, kind and name, and pages them', async () => {
    const acmeOnly = await documentsOf(superAdmin, `?tenant_id=${acme.id}`);
    expect(acmeOnly.items.map((item: Json) => item.company.id)).toEqual([acme.id, acme.id]);
    expect((await documentsOf(superAdmin, '?q=vault')).items.map((i: Json) => i.title)).toEqual([
      'Rival vault notes',
    ]);
    expect((await documentsOf(superAdmin, '?kind=text')).total).toBe(3);
    expect((await documentsOf(superAdmin, '?kind=pdf&status=failed')).total).toBe(0);
    const second = await documentsOf(superAdmin, '?limit=2&offset=2');
    expect([second.total, second.limit, second.offset, second.items.length]).toEqual([3, 2, 2, 1]);
  });

  it('lists the agents and admins of both companies, filtered by company and role', async () => {
    const everyone = (await superAdmin.get('/api/v1/platform/agents')).body;
    // The fixtures make both companies at once: their users interleave, oldest first.
    expect(
      everyone.items.map((item: Json) => [item.username, item.role, item.company.name]).sort(),
    ).toEqual([
      ['agent-acme', 'agent', acmeName],
      ['agent-rival', 'agent', rivalName],
      ['tenant_admin-acme', 'tenant_admin', acmeName],
      ['tenant_admin-rival', 'tenant_admin', rivalName],
    ]);
    expect(everyone.total).toBe(4);
    // The fixtures signed each of them in.
    expect(everyone.items.map((item: Json) => typeof item.last_login_at)).toEqual(
      Array(4).fill('string'),
    );
    const rivalUsers = await superAdmin.get(
      `/api/v1/platform/agents?tenant_id=${rival.id}&role=user`,
    );
    expect(rivalUsers.body.items.map((item: Json) => item.id)).toEqual([rival.userIds.user]);
    expect((await superAdmin.get('/api/v1/platform/agents?q=AGENT-R')).body.total).toBe(1);
  });

  it('refuses tenant admins (its own or another company’s), agents, users, API keys and widget visitors with 403', async () => {
    for (const [who, client] of Object.entries(refused)) {
      for (const path of ['/api/v1/platform/documents', '/api/v1/platform/agents']) {
        const response = await client.get(`${path}?tenant_id=${acme.id}`);
        expect([who, path, response.status, response.body.code]).toEqual([
          who,
          path,
          403,
          'FORBIDDEN',
        ]);
        expect(JSON.stringify(response.body)).not.toContain('Acme returns policy');
      }
    }
  });

  it('answers bad query parameters with 400 VALIDATION_FAILED', async () => {
    for (const query of [
      '/api/v1/platform/documents?status=lost',
      '/api/v1/platform/documents?kind=exe',
      '/api/v1/platform/documents?tenant_id=acme',
      '/api/v1/platform/documents?limit=0',
      '/api/v1/platform/documents?limit=101',
      '/api/v1/platform/documents?offset=-1',
      '/api/v1/platform/documents?sort=name',
      '/api/v1/platform/agents?role=super_admin',
      '/api/v1/platform/agents?q=',
      `/api/v1/platform/agents?q=${'x'.repeat(201)}`,
    ]) {
      const response = await superAdmin.get(query);
      expect([query, response.status, response.body.code]).toEqual([
        query,
        400,
        'VALIDATION_FAILED',
      ]);
    }
  });
});
