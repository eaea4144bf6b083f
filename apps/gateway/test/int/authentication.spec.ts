import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { RAG, TENANTS } from '@tenantbot/contracts';

import { GatewayHarness } from './support/gateway-harness';

describe('the request pipeline, in process', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start({ PRINCIPAL_REQUESTS_PER_MINUTE: '3' });
  });
  afterAll(() => gateway?.stop());

  it('sends every request in the tenant its credential resolved to, never the one a header names', async () => {
    const alice = await gateway.user('tenant_admin');
    const bob = await gateway.user('tenant_admin');
    const asAlice = await gateway.request('/api/v1/rag/documents', alice.token);
    const asBob = await gateway.request('/api/v1/rag/documents', bob.token, {
      headers: { 'x-tenant-id': alice.tenantId ?? '' },
    });
    expect([asAlice.status, asBob.status]).toEqual([200, 200]);
    const contexts = gateway.directory.contextsOf(RAG.DOCUMENTS_LIST);
    expect(contexts.map((context) => context?.tenantId)).toEqual([alice.tenantId, bob.tenantId]);
    expect(contexts[1]?.principal).toEqual({ role: 'tenant_admin', userId: bob.userId });
  });

  it('refuses an access token signed with another secret or with no algorithm, before any service', async () => {
    const user = await gateway.user('user');
    const forged = await gateway.accessToken(user, 'another-secret-that-is-long-enough-1234');
    const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: user.userId, aud: 'tenantbot-api' }));
    const unsigned = `${header}.${payload.toString('base64url')}.`;
    const asked = gateway.directory.contextsOf(TENANTS.AUTH_AUTHENTICATE).length;
    for (const token of [forged, unsigned]) {
      const response = await gateway.request('/api/v1/auth/me', token);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'invalid or expired access token',
      });
    }
    expect(gateway.directory.contextsOf(TENANTS.AUTH_AUTHENTICATE)).toHaveLength(asked);
  });

  it('refuses a role the route does not allow with 403 FORBIDDEN', async () => {
    const user = await gateway.user('user');
    const response = await gateway.request('/api/v1/tenants', user.token);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers an API key’s /auth/me from its authentication alone', async () => {
    const tenantId = randomUUID();
    const apiKeyId = randomUUID();
    const key = `tbk_${randomUUID()}`;
    gateway.directory.apiKeys.set(key, {
      userId: apiKeyId,
      apiKeyId,
      tenantId,
      role: 'tenant_admin',
      active: true,
    });
    const response = await gateway.request('/api/v1/auth/me', key);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      kind: 'api_key',
      api_key_id: apiKeyId,
      tenant: { id: tenantId },
    });
    expect(gateway.directory.contextsOf(TENANTS.AUTH_ME)).toHaveLength(0);
  });

  it('answers a body its schema refuses with 400 VALIDATION_FAILED and the request id', async () => {
    const user = await gateway.user('user');
    const response = await gateway.request('/api/v1/chat', user.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 42 }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; request_id: string };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
  });

  it('counts a user’s requests and refuses the one over the limit with Retry-After', async () => {
    const user = await gateway.user('tenant_admin');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await gateway.request('/api/v1/rag/documents', user.token)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await gateway.request('/api/v1/rag/documents', user.token);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
