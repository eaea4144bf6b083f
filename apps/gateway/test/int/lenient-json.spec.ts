import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { RAG, TENANTS } from '@tenantbot/contracts';

import { GatewayHarness } from './support/gateway-harness';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('a body-less request labelled application/json', () => {
  let gateway: GatewayHarness;
  let admin: Awaited<ReturnType<GatewayHarness['user']>>;

  beforeAll(async () => {
    gateway = await GatewayHarness.start();
    admin = await gateway.user('tenant_admin');
  });
  afterAll(() => gateway?.stop());

  it('is accepted on a DELETE', async () => {
    const id = randomUUID();
    const response = await gateway.request(`/api/v1/rag/documents/${id}`, admin.token, {
      method: 'DELETE',
      headers: JSON_TYPE,
    });

    expect(response.status).toBe(204);
    expect(gateway.directory.contextsOf(RAG.DOCUMENTS_DELETE)).toHaveLength(1);
  });

  it('is accepted on a POST that takes no body', async () => {
    const response = await gateway.request(
      '/api/v1/tenants/me/domains/docs.example.com/verify',
      admin.token,
      { method: 'POST', headers: JSON_TYPE },
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ domain: 'docs.example.com', verified: true });
    expect(gateway.directory.contextsOf(TENANTS.DOMAIN_VERIFY)).toHaveLength(1);
  });

  it('reaches the schema of a POST that needs a body: 400 VALIDATION_FAILED, not MALFORMED_JSON', async () => {
    const response = await gateway.request('/api/v1/auth/logout', undefined, {
      method: 'POST',
      headers: JSON_TYPE,
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each([
    ['malformed JSON', '{"unterminated'],
    ['only whitespace', '  '],
    ['a prototype-poisoning key', '{"__proto__": {"admin": true}}'],
  ])('still answers %s with 400 MALFORMED_JSON', async (_, body) => {
    const response = await gateway.request('/api/v1/auth/logout', undefined, {
      method: 'POST',
      headers: JSON_TYPE,
      body,
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'MALFORMED_JSON' });
  });
});
