import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

type Principal =
  'anonymous' | 'super_admin' | 'tenant_admin' | 'agent' | 'user' | 'readonly' | 'api_key';
const PRINCIPALS: Principal[] = [
  'anonymous',
  'super_admin',
  'tenant_admin',
  'agent',
  'user',
  'readonly',
  'api_key',
];
const EVERYONE = PRINCIPALS;
const AUTHENTICATED = PRINCIPALS.filter((p) => p !== 'anonymous');
const ADMINS: Principal[] = ['super_admin', 'tenant_admin'];
/** Everyone who may ask the assistant: not readonly (the matrix's API key has the agent role). */
/** Who may read the knowledge base's documents (the matrix's API key has the agent role). */
const READERS: Principal[] = ['super_admin', 'tenant_admin', 'agent', 'api_key'];
const CHATTERS: Principal[] = ['super_admin', 'tenant_admin', 'agent', 'user', 'api_key'];
/** Who works the handoff inbox (the matrix's API key has the agent role). */
const AGENTS: Principal[] = ['super_admin', 'tenant_admin', 'agent', 'api_key'];

interface RouteRule {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As in the OpenAPI document, with `{id}` for path parameters. */
  path: string;
  allowed: Principal[];
  /** A body that cannot change anything (invalid, or a no-op): the matrix tests access, not effects. */
  body?: unknown;
  /** How a principal outside `allowed` is refused, when not by its role (403). */
  refusedAs?: 'unauthenticated';
}

const someId = randomUUID();

/**
 * Every route of the API and who may call it. A route missing here fails the test below:
 * routes added by later issues must join the matrix.
 */
const MATRIX: RouteRule[] = [
  { method: 'GET', path: '/', allowed: EVERYONE },
  { method: 'GET', path: '/ping', allowed: EVERYONE },
  { method: 'GET', path: '/healthz', allowed: EVERYONE },
  { method: 'GET', path: '/health', allowed: EVERYONE },
  // Only the METRICS_TOKEN opens it (platform.e2e): any other credential is refused with 401.
  { method: 'GET', path: '/metrics', allowed: [], refusedAs: 'unauthenticated' },
  { method: 'POST', path: '/api/v1/auth/login', allowed: EVERYONE, body: {} },
  { method: 'POST', path: '/api/v1/auth/refresh', allowed: EVERYONE, body: {} },
  { method: 'POST', path: '/api/v1/auth/logout', allowed: EVERYONE, body: {} },
  { method: 'GET', path: '/api/v1/auth/me', allowed: AUTHENTICATED },
  { method: 'GET', path: '/api/v1/tenants', allowed: ['super_admin'] },
  { method: 'POST', path: '/api/v1/tenants', allowed: ['super_admin'], body: {} },
  { method: 'POST', path: '/api/v1/tenants/register', allowed: EVERYONE, body: {} },
  { method: 'GET', path: '/api/v1/tenants/me', allowed: ADMINS },
  { method: 'PUT', path: '/api/v1/tenants/me', allowed: ADMINS, body: {} },
  { method: 'GET', path: '/api/v1/tenants/me/domains', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/tenants/me/domains/{domain}/verify', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/tenants/{id}', allowed: ['super_admin'] },
  { method: 'PUT', path: '/api/v1/tenants/{id}', allowed: ['super_admin'], body: { plan: 'nope' } },
  { method: 'DELETE', path: '/api/v1/tenants/{id}', allowed: ['super_admin'] },
  { method: 'GET', path: '/api/v1/admin/users', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/admin/users', allowed: ADMINS, body: {} },
  { method: 'GET', path: '/api/v1/admin/users/{id}', allowed: ADMINS },
  { method: 'PUT', path: '/api/v1/admin/users/{id}', allowed: ADMINS, body: { role: 'nope' } },
  { method: 'DELETE', path: '/api/v1/admin/users/{id}', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/admin/usage', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/admin/stats', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/platform/documents', allowed: ['super_admin'] },
  { method: 'GET', path: '/api/v1/platform/agents', allowed: ['super_admin'] },
  { method: 'GET', path: '/api/v1/api-keys', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/rag/documents', allowed: ADMINS, body: {} },
  { method: 'GET', path: '/api/v1/rag/documents', allowed: READERS },
  { method: 'GET', path: '/api/v1/rag/documents/{id}', allowed: READERS },
  { method: 'PATCH', path: '/api/v1/rag/documents/{id}', allowed: ADMINS, body: {} },
  { method: 'DELETE', path: '/api/v1/rag/documents/{id}', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/rag/documents/{id}/reprocess', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/rag/search', allowed: AUTHENTICATED, body: {} },
  { method: 'POST', path: '/api/v1/rag/evaluations', allowed: ADMINS, body: {} },
  { method: 'POST', path: '/api/v1/chat', allowed: CHATTERS, body: {} },
  { method: 'GET', path: '/api/v1/chat/models', allowed: AUTHENTICATED },
  { method: 'GET', path: '/api/v1/chat/conversations', allowed: AUTHENTICATED },
  { method: 'GET', path: '/api/v1/chat/conversations/{id}', allowed: AUTHENTICATED },
  { method: 'DELETE', path: '/api/v1/chat/conversations/{id}', allowed: CHATTERS },
  { method: 'GET', path: '/api/v1/chat/assistants', allowed: AUTHENTICATED },
  { method: 'GET', path: '/api/v1/assistants', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/assistants', allowed: ADMINS, body: {} },
  { method: 'GET', path: '/api/v1/assistants/{id}', allowed: ADMINS },
  { method: 'PUT', path: '/api/v1/assistants/{id}', allowed: ADMINS, body: {} },
  { method: 'DELETE', path: '/api/v1/assistants/{id}', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/chat/conversations/{id}/handoff', allowed: CHATTERS },
  { method: 'GET', path: '/api/v1/inbox', allowed: AGENTS },
  { method: 'GET', path: '/api/v1/inbox/settings', allowed: AGENTS },
  { method: 'PUT', path: '/api/v1/inbox/settings', allowed: ADMINS, body: { phrases: 'x' } },
  { method: 'POST', path: '/api/v1/inbox/{id}/claim', allowed: AGENTS },
  { method: 'POST', path: '/api/v1/inbox/{id}/messages', allowed: AGENTS, body: {} },
  { method: 'POST', path: '/api/v1/inbox/{id}/release', allowed: AGENTS },
  { method: 'POST', path: '/api/v1/inbox/{id}/close', allowed: AGENTS },
  { method: 'POST', path: '/api/v1/api-keys', allowed: ADMINS, body: {} },
  { method: 'DELETE', path: '/api/v1/api-keys/{id}', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/widgets', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/widgets', allowed: ADMINS, body: {} },
  { method: 'GET', path: '/api/v1/widgets/{id}', allowed: ADMINS },
  { method: 'PUT', path: '/api/v1/widgets/{id}', allowed: ADMINS, body: {} },
  { method: 'DELETE', path: '/api/v1/widgets/{id}', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/webhooks', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/webhooks', allowed: ADMINS, body: {} },
  { method: 'DELETE', path: '/api/v1/webhooks/{id}', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/webhooks/{id}/test', allowed: ADMINS },
  { method: 'GET', path: '/api/v1/webhooks/{id}/deliveries', allowed: ADMINS },
  { method: 'POST', path: '/api/v1/chat/messages/{id}/feedback', allowed: CHATTERS, body: {} },
  { method: 'GET', path: '/api/v1/admin/export/conversations', allowed: ADMINS },
  // OpenAI-compatible, with OpenAI's error shape (the statuses are the same).
  { method: 'POST', path: '/v1/chat/completions', allowed: CHATTERS, body: {} },
  { method: 'POST', path: '/v1/embeddings', allowed: CHATTERS, body: {} },
  { method: 'GET', path: '/v1/models', allowed: AUTHENTICATED },
  // Public, checked against the page's Origin and the widget's key instead of a credential.
  { method: 'GET', path: '/api/v1/widget/config', allowed: EVERYONE },
  { method: 'POST', path: '/api/v1/widget/sessions', allowed: EVERYONE, body: {} },
  { method: 'GET', path: '/widget/embed.js', allowed: EVERYONE },
  { method: 'GET', path: '/chat/embed.js', allowed: EVERYONE },
  { method: 'GET', path: '/chat/widget', allowed: EVERYONE },
];

describe('role × route matrix (e2e over HTTP)', () => {
  let stack: TestStack;
  let clients: Record<Principal, ApiClient>;

  beforeAll(async () => {
    // Every service runs, so an allowed call is answered (even with an error), never timed out.
    stack = await TestStack.start();
    const anonymous = new ApiClient(stack.baseUrl);
    const superAdmin = await loginSuperAdmin(anonymous);
    const tenant: TenantFixture = await createTenantWithUsers(superAdmin, 'matrix');
    const key = await tenant.as.tenant_admin.post('/api/v1/api-keys', {
      name: 'matrix',
      role: 'agent',
    });
    clients = {
      anonymous,
      super_admin: superAdmin.as(superAdmin.token, tenant.slug),
      tenant_admin: tenant.as.tenant_admin,
      agent: tenant.as.agent,
      user: tenant.as.user,
      readonly: tenant.as.readonly,
      api_key: anonymous.as(key.body.key),
    };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('covers every route of the OpenAPI document', async () => {
    const document = (await new ApiClient(stack.baseUrl).get('/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const inMatrix = new Set(MATRIX.map((rule) => `${rule.method} ${rule.path}`));

    expect(documented.filter((route) => !inMatrix.has(route))).toEqual([]);
    expect([...inMatrix].filter((route) => !documented.includes(route))).toEqual([]);
  });

  it.each(MATRIX.map((rule) => [`${rule.method} ${rule.path}`, rule] as const))(
    '%s lets exactly its roles in',
    async (_name, rule) => {
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const principal of PRINCIPALS) {
        const path = rule.path.replace('{id}', someId).replace('{domain}', 'unclaimed.example');
        const response = await clients[principal].call(rule.method, path, rule.body);
        outcomes[principal] =
          response.status === 401
            ? 'unauthenticated'
            : response.status === 403
              ? 'forbidden'
              : 'allowed';
        expected[principal] = rule.allowed.includes(principal)
          ? 'allowed'
          : principal === 'anonymous'
            ? 'unauthenticated'
            : (rule.refusedAs ?? 'forbidden');
      }
      expect(outcomes).toEqual(expected);
    },
  );
});
