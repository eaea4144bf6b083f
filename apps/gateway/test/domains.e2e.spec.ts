import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  FakeDnsServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const PLATFORM_HOST = 'api.tenantbot.test';

describe('custom domains: claims, DNS verification, Host resolution (e2e over HTTP)', () => {
  let dns: FakeDnsServer;
  let stack: TestStack;
  let superAdmin: ApiClient;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    dns = await FakeDnsServer.start();
    stack = await TestStack.start({
      services: ['tenants'],
      env: {
        DNS_RESOLVER: dns.address,
        PUBLIC_URL: `https://${PLATFORM_HOST}`,
        RESERVED_HOSTS: 'console.tenantbot.test, Docs.Tenantbot.Test',
      },
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [a, b] = await Promise.all([
      createTenantWithUsers(superAdmin, 'alpha'),
      createTenantWithUsers(superAdmin, 'bravo'),
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
    await dns?.close();
  });

  const uniqueDomain = (label: string) => `${label}-${randomUUID().slice(0, 8)}.example.com`;
  const onHost = (client: ApiClient, host: string) => client.withHeaders({ Host: host });
  const domainsOf = async (tenant: TenantFixture) =>
    (await tenant.as.tenant_admin.get('/api/v1/tenants/me/domains')).body as {
      domain: string;
      verified: boolean;
      verification: { type: string; name: string; value: string };
    }[];
  const verify = (tenant: TenantFixture, domain: string) =>
    tenant.as.tenant_admin.post(`/api/v1/tenants/me/domains/${domain}/verify`);
  const loginOnHost = (host: string, tenant: TenantFixture, role = 'agent') =>
    onHost(new ApiClient(stack.baseUrl), host).post('/api/v1/auth/login', {
      username: `${role}-${tenant === a ? 'alpha' : 'bravo'}`,
      password: tenant.password,
    });

  it('keeps a claimed domain pending, resolving nothing, until its TXT record verifies it', async () => {
    const domain = uniqueDomain('help');
    const claimed = await a.as.tenant_admin.put('/api/v1/tenants/me', { domains: [domain] });
    expect(claimed).toMatchObject({ status: 200, body: { domains: [domain] } });

    const [pending] = await domainsOf(a);
    expect(pending).toMatchObject({
      domain,
      verified: false,
      verified_at: null,
      verification: { type: 'TXT', name: `_tenantbot.${domain}` },
    });
    expect(pending.verification.value).toMatch(/^tenantbot-verification=[0-9a-f]{32}$/);
    expect((await loginOnHost(domain, a)).status).toBe(401); // the platform, where alpha's agent is unknown
    expect((await onHost(a.as.agent, domain).get('/api/v1/auth/me')).status).toBe(200);
    expect((await onHost(b.as.agent, domain).get('/api/v1/auth/me')).status).toBe(200);

    const noRecord = await verify(a, domain);
    expect(noRecord).toMatchObject({
      status: 422,
      body: { code: 'DOMAIN_NOT_VERIFIED', details: { verification: pending.verification } },
    });
    await b.as.tenant_admin.put('/api/v1/tenants/me', { domains: [uniqueDomain('b-own')] });
    const bToken = (await domainsOf(b))[0]?.verification.value;
    expect(bToken).not.toBe(pending.verification.value);
    dns.setTxt(`_tenantbot.${domain}`, 'v=spf1 -all', String(bToken));
    expect(await verify(a, domain)).toMatchObject({ status: 422 }); // another tenant's token

    // A long record may come in several strings; they are read joined.
    const value = pending.verification.value;
    dns.setTxt(`_tenantbot.${domain}`, 'v=spf1 -all', [value.slice(0, 10), value.slice(10)]);
    const verified = await verify(a, domain);
    expect(verified).toMatchObject({
      status: 200,
      body: { domain, verified: true, verified_at: expect.any(String) },
    });

    const login = await loginOnHost(domain, a);
    expect(login.status).toBe(200);
    const me = await new ApiClient(stack.baseUrl, login.body.access_token).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ user: { username: 'agent-alpha' }, tenant: { id: a.id } });
    expect(await onHost(b.as.agent, domain).get('/api/v1/auth/me')).toMatchObject({
      status: 403,
      body: { code: 'TENANT_MISMATCH' },
    });

    const kept = await a.as.tenant_admin.put('/api/v1/tenants/me', {
      domains: [domain, uniqueDomain('more')],
    });
    expect(kept.status).toBe(200);
    expect((await domainsOf(a)).find((d) => d.domain === domain)?.verified).toBe(true);
  });

  it('refuses a domain another tenant holds verified, and leaves that tenant’s domain working', async () => {
    const domain = uniqueDomain('owned');
    expect((await superAdmin.put(`/api/v1/tenants/${a.id}`, { domains: [domain] })).status).toBe(
      200,
    );
    const bBefore = await b.as.tenant_admin.get('/api/v1/tenants/me');

    const hijack = await b.as.tenant_admin.put('/api/v1/tenants/me', { domains: [domain] });
    const bySuperAdmin = await superAdmin.put(`/api/v1/tenants/${b.id}`, { domains: [domain] });

    expect(hijack).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT', details: { domains: [domain] } },
    });
    expect(JSON.stringify(hijack.body)).not.toContain(a.id);
    expect(bySuperAdmin).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect((await b.as.tenant_admin.get('/api/v1/tenants/me')).body.domains).toEqual(
      bBefore.body.domains,
    );
    expect((await loginOnHost(domain, a)).status).toBe(200);
    expect((await loginOnHost(domain, b)).status).toBe(401);
  });

  it('lets a pending claim not block the real owner: first to verify wins, the other gets 409', async () => {
    const domain = uniqueDomain('contested');
    expect((await b.as.tenant_admin.put('/api/v1/tenants/me', { domains: [domain] })).status).toBe(
      200,
    );
    expect((await a.as.tenant_admin.put('/api/v1/tenants/me', { domains: [domain] })).status).toBe(
      200,
    );
    const tokenOf = async (tenant: TenantFixture) =>
      (await domainsOf(tenant)).find((d) => d.domain === domain)?.verification.value ?? '';
    dns.setTxt(`_tenantbot.${domain}`, await tokenOf(a), await tokenOf(b));

    expect(await verify(a, domain)).toMatchObject({ status: 200, body: { verified: true } });
    expect(await verify(b, domain)).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect((await domainsOf(b)).find((d) => d.domain === domain)?.verified).toBe(false);
    expect((await loginOnHost(domain, a)).status).toBe(200);
  });

  it('refuses the platform’s own hosts and bare public suffixes, to everyone', async () => {
    const cases: [string, string][] = [
      [PLATFORM_HOST, 'reserved'],
      ['console.tenantbot.test', 'reserved'],
      ['docs.tenantbot.test', 'reserved'],
      ['co.uk', 'public_suffix'],
      ['github.io', 'public_suffix'],
      ['s3.amazonaws.com', 'public_suffix'],
    ];
    for (const [domain, reason] of cases) {
      for (const [who, attempt] of [
        ['tenant admin', () => a.as.tenant_admin.put('/api/v1/tenants/me', { domains: [domain] })],
        ['super admin', () => superAdmin.put(`/api/v1/tenants/${a.id}`, { domains: [domain] })],
      ] as const) {
        const response = await attempt();
        expect({ domain, who, status: response.status, body: response.body }).toMatchObject({
          domain,
          who,
          status: 400,
          body: { code: 'DOMAIN_NOT_ALLOWED', details: { domains: [{ domain, reason }] } },
        });
      }
    }
    const bareTld = await a.as.tenant_admin.put('/api/v1/tenants/me', { domains: ['com'] });
    expect(bareTld).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    // Under the platform's host: a tenant admin may not; the super admin may hand it out.
    const subdomain = `alpha-${randomUUID().slice(0, 6)}.${PLATFORM_HOST}`;
    expect(
      await a.as.tenant_admin.put('/api/v1/tenants/me', { domains: [subdomain] }),
    ).toMatchObject({ status: 400, body: { code: 'DOMAIN_NOT_ALLOWED' } });
    expect((await superAdmin.put(`/api/v1/tenants/${a.id}`, { domains: [subdomain] })).status).toBe(
      200,
    );
    expect((await loginOnHost(subdomain, a)).status).toBe(200);
    // A registrable domain under a public suffix is fine.
    const ownSite = `alpha-${randomUUID().slice(0, 6)}.github.io`;
    expect((await a.as.tenant_admin.put('/api/v1/tenants/me', { domains: [ownSite] })).status).toBe(
      200,
    );
  });

  it('keeps each tenant’s domains and token to itself', async () => {
    const domain = uniqueDomain('private');
    await a.as.tenant_admin.put('/api/v1/tenants/me', { domains: [domain] });

    const bList = await domainsOf(b);
    const aList = await domainsOf(a);
    expect(bList.map((d) => d.domain)).not.toContain(domain);
    expect(new Set(bList.map((d) => d.verification.value)).size).toBeLessThanOrEqual(1);
    expect(bList.map((d) => d.verification.value)).not.toContain(aList[0]?.verification.value);
    expect(await verify(b, domain)).toMatchObject({
      status: 404,
      body: { code: 'DOMAIN_NOT_FOUND' },
    });
    expect((await a.as.agent.get('/api/v1/tenants/me/domains')).status).toBe(403);
    expect((await a.as.agent.post(`/api/v1/tenants/me/domains/${domain}/verify`)).status).toBe(403);
  });

  it('shows the super admin’s domains verified at once, and answers bad input with 4xx', async () => {
    const domain = uniqueDomain('assigned');
    await superAdmin.put(`/api/v1/tenants/${b.id}`, { domains: [domain] });
    const listed = await superAdmin.as(superAdmin.token, b.slug).get('/api/v1/tenants/me/domains');
    expect(listed.body).toEqual([expect.objectContaining({ domain, verified: true })]);

    const malformed = await b.as.tenant_admin.post('/api/v1/tenants/me/domains/not_a_host!/verify');
    expect(malformed).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});
