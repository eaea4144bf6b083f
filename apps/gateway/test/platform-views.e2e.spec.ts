import { randomUUID } from 'node:crypto';

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
/**
 * In this suite's document titles and usernames: the suites of a run share one database, so the
 * platform's lists hold other suites' companies too; the marker (or a company id) picks ours.
 */
const MARK = `pv${randomUUID().slice(0, 8)}`;

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
      [acme, `${MARK} Acme returns policy`],
      [acme, `${MARK} Acme shipping`],
      [rival, `${MARK} Rival vault notes`],
    ] as const) {
      const created = await tenant.as.tenant_admin.post('/api/v1/rag/documents', {
        title,
        text: `${title}: the words of it.`,
      });
      expect(created.status).toBe(202);
    }
    for (const [tenant, username] of [
      [acme, `${MARK}-ana`],
      [rival, `${MARK}-rob`],
    ] as const) {
      const created = await tenant.as.tenant_admin.post('/api/v1/admin/users', {
        username,
        password: 'a long passphrase',
        role: 'agent',
      });
      expect(created.status).toBe(201);
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
    const page = await documentsOf(superAdmin, `?q=${MARK}`);
    expect(page.total).toBe(3);
    const rows = page.items.map((item: Json) => [item.title, item.company.id, item.company.name]);
    expect(rows).toEqual([
      [`${MARK} Rival vault notes`, rival.id, rivalName],
      [`${MARK} Acme shipping`, acme.id, acmeName],
      [`${MARK} Acme returns policy`, acme.id, acmeName],
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
    expect(
      (await documentsOf(superAdmin, `?tenant_id=${rival.id}&q=VAULT`)).items.map(
        (item: Json) => item.title,
      ),
    ).toEqual([`${MARK} Rival vault notes`]);
    expect((await documentsOf(superAdmin, `?q=${MARK}&kind=text`)).total).toBe(3);
    expect((await documentsOf(superAdmin, `?q=${MARK}&kind=pdf`)).total).toBe(0);
    expect((await documentsOf(superAdmin, `?tenant_id=${acme.id}&status=failed`)).total).toBe(0);
    const second = await documentsOf(superAdmin, `?q=${MARK}&limit=2&offset=2`);
    expect([second.total, second.limit, second.offset, second.items.length]).toEqual([3, 2, 2, 1]);
    expect(second.items[0].title).toBe(`${MARK} Acme returns policy`);
  });

  it('lists the agents and admins of both companies, filtered by company and role', async () => {
    const both = (await superAdmin.get(`/api/v1/platform/agents?q=${MARK}`)).body;
    expect(both.items.map((item: Json) => [item.username, item.role, item.company.name])).toEqual([
      [`${MARK}-ana`, 'agent', acmeName],
      [`${MARK}-rob`, 'agent', rivalName],
    ]);
    expect(both.total).toBe(2);
    // Never signed in.
    expect(both.items.map((item: Json) => item.last_login_at)).toEqual([null, null]);

    const acmePeople = (await superAdmin.get(`/api/v1/platform/agents?tenant_id=${acme.id}`)).body;
    // By default agents and company admins, oldest first; no plain users, no readonly.
    expect(acmePeople.items.map((item: Json) => item.username)).toEqual([
      'tenant_admin-acme',
      'agent-acme',
      `${MARK}-ana`,
    ]);
    expect(acmePeople.items[0]).toMatchObject({
      id: acme.userIds.tenant_admin,
      company: { id: acme.id, name: acmeName, slug: acme.slug },
      email: `tenant_admin@${acme.slug}.test`,
      is_active: true,
    });
    // The fixture signed it in.
    expect(Date.parse(acmePeople.items[0].last_login_at)).toBeGreaterThan(0);

    const rivalUsers = await superAdmin.get(
      `/api/v1/platform/agents?tenant_id=${rival.id}&role=user`,
    );
    expect(rivalUsers.body.items.map((item: Json) => item.id)).toEqual([rival.userIds.user]);
    const searched = await superAdmin.get(
      `/api/v1/platform/agents?tenant_id=${rival.id}&q=AGENT-R`,
    );
    expect(searched.body.items.map((item: Json) => item.username)).toEqual(['agent-rival']);
    const paged = await superAdmin.get(
      `/api/v1/platform/agents?tenant_id=${acme.id}&limit=1&offset=1`,
    );
    expect([paged.body.total, paged.body.items[0].username]).toEqual([3, 'agent-acme']);
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
