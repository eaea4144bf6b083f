import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  type ApiResponse,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

/** A bound on correctness, not a speed test: the change must reach the other replica by then. */
const REFUSED_WITHIN_MS = 1000;
/** Far longer than the test: only the tenants service's broadcast can evict an entry. */
const CACHE_TTL_MS = '120000';

/**
 * Two gateway replicas, each with its caller cache warm: a change made through one is refused
 * by the other within a second, carried by the tenants service's `access.changed` broadcast.
 */
describe('caller cache across gateway replicas (e2e over HTTP)', () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let globex: TenantFixture;
  /** The replica that sees the change only through the broadcast. */
  let otherGatewayUrl: string;

  beforeAll(async () => {
    stack = await TestStack.start({
      services: ['tenants'],
      env: { ACCESS_CACHE_TTL_MS: CACHE_TTL_MS },
    });
    otherGatewayUrl = await stack.addGateway('gateway-replica', {});
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    acme = await createTenantWithUsers(superAdmin, 'acme');
    globex = await createTenantWithUsers(superAdmin, 'globex');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const replica = (token: string, tenant?: string) =>
    new ApiClient(otherGatewayUrl).as(token, tenant);

  async function newApiKey(
    tenant: TenantFixture,
    name: string,
  ): Promise<{ id: string; key: string }> {
    const created = await tenant.as.tenant_admin.post('/api/v1/api-keys', { name, role: 'user' });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, key: created.body.key as string };
  }

  /** Warms the replica's cache: the caller is accepted there, several times. */
  async function warm(client: ApiClient): Promise<void> {
    for (let i = 0; i < 3; i++) {
      expect((await client.get('/api/v1/auth/me')).status).toBe(200);
    }
  }

  /** Polls until the caller is refused; returns the refusal and how long after `since` it came. */
  async function refusal(client: ApiClient, since: number) {
    let response: ApiResponse<{ code?: string }>;
    do {
      response = await client.get('/api/v1/auth/me');
      if (response.status !== 200) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (Date.now() - since < 5 * REFUSED_WITHIN_MS);
    return { response, afterMs: Date.now() - since };
  }

  it('refuses a deactivated user on the other replica within a second', async () => {
    const login = await new ApiClient(stack.baseUrl)
      .as(undefined, acme.slug)
      .post('/api/v1/auth/login', { username: 'agent-acme', password: acme.password });
    expect(login.status).toBe(200);
    const agent = replica(login.body.access_token as string, acme.slug);
    await warm(agent);

    const changedAt = Date.now();
    const change = await acme.as.tenant_admin.put(`/api/v1/admin/users/${acme.userIds.agent}`, {
      is_active: false,
    });
    expect(change.status).toBe(200);
    const { response, afterMs } = await refusal(agent, changedAt);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
    expect(afterMs).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it('refuses a revoked API key on the other replica within a second', async () => {
    const { id, key } = await newApiKey(acme, 'revoked soon');
    const caller = replica(key);
    await warm(caller);

    const changedAt = Date.now();
    expect((await acme.as.tenant_admin.delete(`/api/v1/api-keys/${id}`)).status).toBe(204);
    const { response, afterMs } = await refusal(caller, changedAt);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
    expect(afterMs).toBeLessThan(REFUSED_WITHIN_MS);
  });

  it('refuses a deactivated tenant on the other replica within a second, and only that tenant', async () => {
    const acmeKey = await newApiKey(acme, 'tenant goes');
    const globexKey = await newApiKey(globex, 'tenant stays');
    const acmeCaller = replica(acmeKey.key);
    const acmeUser = replica(String(acme.as.user.token), acme.slug);
    const globexCaller = replica(globexKey.key);
    await Promise.all([warm(acmeCaller), warm(acmeUser), warm(globexCaller)]);

    const changedAt = Date.now();
    const change = await superAdmin.put(`/api/v1/tenants/${acme.id}`, { is_active: false });
    expect(change.status).toBe(200);
    const [byKey, byUser] = await Promise.all([
      refusal(acmeCaller, changedAt),
      refusal(acmeUser, changedAt),
    ]);
    for (const { response, afterMs } of [byKey, byUser]) {
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('TENANT_INACTIVE');
      expect(afterMs).toBeLessThan(REFUSED_WITHIN_MS);
    }
    const stillThere = await globexCaller.get('/api/v1/auth/me');
    expect(stillThere.status).toBe(200);
    expect(stillThere.body.tenant.id).toBe(globex.id);

    expect((await superAdmin.put(`/api/v1/tenants/${acme.id}`, { is_active: true })).status).toBe(
      200,
    );
    await warm(acmeCaller);
  });

  it('keeps a cached key confined to its tenant: naming another tenant is refused, warm or not', async () => {
    const acmeKey = await newApiKey(acme, 'isolation');
    const globexKey = await newApiKey(globex, 'isolation');
    await Promise.all([warm(replica(acmeKey.key)), warm(replica(globexKey.key))]);

    for (const [key, other] of [
      [acmeKey.key, globex],
      [globexKey.key, acme],
    ] as const) {
      for (const reference of [other.slug, other.id]) {
        const crossing = await replica(key, reference).get('/api/v1/auth/me');
        expect(crossing.status).toBe(403);
        expect(crossing.body.code).toBe('TENANT_MISMATCH');
      }
    }
    const own = await replica(globexKey.key).get('/api/v1/auth/me');
    expect(own.body).toMatchObject({
      kind: 'api_key',
      tenant: { id: globex.id, slug: globex.slug },
    });
    expect(JSON.stringify(own.body)).not.toContain(acme.id);
  });

  it('answers a warm API key without the tenants service, and a cold one not at all', async () => {
    const warmKey = await newApiKey(globex, 'warm');
    const coldKey = await newApiKey(globex, 'cold');
    await warm(replica(warmKey.key));

    await stack.kill('tenants');
    try {
      const cached = await replica(warmKey.key).get('/api/v1/auth/me');
      expect(cached.status).toBe(200);
      expect(cached.body).toMatchObject({ kind: 'api_key', api_key_id: warmKey.id });
      const cold = await replica(coldKey.key).get('/api/v1/auth/me');
      expect([503, 504]).toContain(cold.status);
    } finally {
      await stack.restart('tenants');
    }
  });
});
