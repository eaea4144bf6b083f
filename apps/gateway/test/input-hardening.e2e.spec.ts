import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const NUL = '\u0000';

/** The JSON error body of API.md, with the stable code given. */
function errorShape(status: number, code: string) {
  return {
    statusCode: status,
    code,
    message: expect.any(String),
    request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
  };
}

/** Sends raw bytes and reads the whole answer: for requests no well-behaved client would send. */
function rawExchange(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(request);
  });
}

function parseRawResponse(raw: string) {
  const [head, body] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

describe('hostile input through the gateway (e2e)', () => {
  let stack: TestStack;
  let filesDir: string;
  let superAdmin: ApiClient;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    filesDir = mkdtempSync(join(tmpdir(), 'tenantbot-files-'));
    stack = await TestStack.start({
      services: ['tenants', 'rag', 'chat'],
      env: { FILES_DIR: filesDir },
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [a, b] = await Promise.all([
      createTenantWithUsers(superAdmin, 'hostile-a'),
      createTenantWithUsers(superAdmin, 'hostile-b'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(filesDir, { recursive: true, force: true });
  });

  const port = () => Number(new URL(stack.baseUrl).port);

  describe('NUL characters in stored text', () => {
    it.each([
      [
        'a tenant name',
        'superAdmin',
        'POST',
        '/api/v1/tenants/',
        { name: `Acme${NUL}`, slug: 'nul-name' },
        'name',
      ],
      [
        'a system prompt',
        'tenant_admin',
        'PUT',
        '/api/v1/tenants/me',
        { system_prompt: `Be brief${NUL}` },
        'system_prompt',
      ],
      [
        'an allowed model',
        'tenant_admin',
        'PUT',
        '/api/v1/tenants/me',
        { allowed_models: [`gpt${NUL}`] },
        'allowed_models.0',
      ],
      [
        'a user’s password',
        'tenant_admin',
        'POST',
        '/api/v1/admin/users',
        { username: 'nul-pw', password: `long pass${NUL}word` },
        'password',
      ],
      ['a user’s email', 'tenant_admin', 'PUT', 'own-user', { email: `x${NUL}@a.test` }, 'email'],
      [
        'a login username',
        'anonymous',
        'POST',
        '/api/v1/auth/login',
        { username: `admin${NUL}`, password: 'admin' },
        'username',
      ],
      [
        'a login email',
        'anonymous',
        'POST',
        '/api/v1/auth/login',
        { email: `a${NUL}@b.test`, password: 'x' },
        'email',
      ],
      [
        'a refresh token',
        'anonymous',
        'POST',
        '/api/v1/auth/refresh',
        { refresh_token: `t${NUL}` },
        'refresh_token',
      ],
      [
        'an API key name',
        'tenant_admin',
        'POST',
        '/api/v1/api-keys',
        { name: `widget${NUL}` },
        'name',
      ],
      [
        'a document title',
        'tenant_admin',
        'POST',
        '/api/v1/rag/documents',
        { title: `FAQ${NUL}`, text: 'Some text.' },
        'title',
      ],
      [
        'a document text',
        'tenant_admin',
        'POST',
        '/api/v1/rag/documents',
        { title: 'FAQ', text: `Some${NUL} text.` },
        'text',
      ],
      [
        'a chat message',
        'user',
        'POST',
        '/api/v1/chat/',
        { message: `Hello${NUL}there`, use_rag: false },
        'message',
      ],
      [
        'a history turn',
        'user',
        'POST',
        '/api/v1/chat/',
        { message: 'Hi', conversation_history: [{ role: 'user', content: `a${NUL}` }] },
        'conversation_history.0.content',
      ],
      [
        'an object key',
        'tenant_admin',
        'PUT',
        '/api/v1/tenants/me',
        { [`name${NUL}`]: 'x' },
        `name${NUL}`,
      ],
    ] as const)(
      'refuses %s with 400 naming the field',
      async (_, who, method, path, body, field) => {
        const client =
          who === 'superAdmin'
            ? superAdmin
            : who === 'anonymous'
              ? new ApiClient(stack.baseUrl).as(undefined, a.slug)
              : a.as[who];
        const target = path === 'own-user' ? `/api/v1/admin/users/${a.userIds.user}` : path;
        const response = await client.call(method, target, body);

        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          ...errorShape(400, 'INVALID_REQUEST'),
          details: expect.arrayContaining([{ field, message: 'must not contain NUL characters' }]),
        });
        expect(response.body.message).toContain(field);
      },
    );

    it('leaves the tenant and every other tenant as they were', async () => {
      const before = await Promise.all(
        [a, b].map((t) => t.as.tenant_admin.get('/api/v1/tenants/me')),
      );
      const refused = await a.as.tenant_admin.put('/api/v1/tenants/me', {
        name: 'Renamed',
        system_prompt: `Leak ${NUL} nothing`,
      });
      const after = await Promise.all(
        [a, b].map((t) => t.as.tenant_admin.get('/api/v1/tenants/me')),
      );

      expect(refused.status).toBe(400);
      expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
      // Tenant B's admin still cannot name tenant A, with or without hostile input.
      const crossTenant = await b.as.tenant_admin.put(`/api/v1/tenants/${a.id}`, {
        system_prompt: `x${NUL}`,
      });
      expect([400, 403]).toContain(crossTenant.status);
      expect((await a.as.tenant_admin.get('/api/v1/tenants/me')).body).toEqual(before[0].body);
    });

    it('refuses a chat message of 100,000 characters with a clear 400', async () => {
      const response = await a.as.user.post('/api/v1/chat/', { message: 'x'.repeat(100_000) });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        ...errorShape(400, 'VALIDATION_FAILED'),
        details: [expect.objectContaining({ field: 'message' })],
      });
    });
  });

  describe('bad multipart uploads', () => {
    const BOUNDARY = 'tenantbot-test-boundary';

    function part(name: string, content: string, filename?: string) {
      const disposition = filename === undefined ? '' : `; filename="${filename}"`;
      const type = filename === undefined ? '' : '\r\nContent-Type: text/plain';
      return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${disposition}${type}\r\n\r\n${content}\r\n`;
    }

    async function upload(client: ApiClient, body: string) {
      const response = await fetch(`${stack.baseUrl}/api/v1/rag/documents`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${client.token}`,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body: Buffer.from(body, 'utf8'),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    const storedFiles = () =>
      existsSync(join(filesDir, a.id)) ? readdirSync(join(filesDir, a.id)) : [];

    it.each([
      [
        'a NUL in the file name',
        part('file', 'Refunds take five days.', `notes${NUL}.txt`) + `--${BOUNDARY}--\r\n`,
        'INVALID_REQUEST',
        'filename',
      ],
      [
        'too many parts',
        Array.from({ length: 8 }, (_, i) => part(`field${i}`, 'x')).join('') +
          part('file', 'Refunds take five days.', 'notes.txt') +
          `--${BOUNDARY}--\r\n`,
        'TOO_MANY_PARTS',
        undefined,
      ],
      [
        'two files',
        part('file', 'one', 'one.txt') + part('file', 'two', 'two.txt') + `--${BOUNDARY}--\r\n`,
        'TOO_MANY_PARTS',
        undefined,
      ],
      [
        'a body cut off inside the file',
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\nRefunds take fi`,
        'MALFORMED_MULTIPART',
        undefined,
      ],
      [
        'a body cut off inside the part headers',
        `--${BOUNDARY}\r\nContent-Disposition: form-da`,
        'MALFORMED_MULTIPART',
        undefined,
      ],
      [
        'no file part',
        part('title', 'just a field') + `--${BOUNDARY}--\r\n`,
        'VALIDATION_FAILED',
        'file',
      ],
      ['an empty body', '', 'VALIDATION_FAILED', 'file'],
    ] as [string, string, string, string | undefined][])(
      'answers %s with 400 and a stable code, storing nothing',
      async (_, body, code, field) => {
        const before = storedFiles().length;
        const response = await upload(a.as.tenant_admin, body);

        expect(response).toMatchObject({ status: 400, body: errorShape(400, code) });
        if (field) {
          expect(response.body.details).toEqual([expect.objectContaining({ field })]);
        }
        expect(storedFiles()).toHaveLength(before);
      },
    );
  });

  describe('errors raised before routing keep the API’s shape', () => {
    it.each([
      ['a URL over the gateway’s limit', `/api/v1/${'a'.repeat(10_000)}`, {}, 414, 'URI_TOO_LONG'],
      ['a URL over Node’s header limit', `/api/v1/${'a'.repeat(20_000)}`, {}, 414, 'URI_TOO_LONG'],
      [
        'headers over Node’s limit',
        '/ping',
        { 'x-padding': 'a'.repeat(20_000) },
        431,
        'HEADERS_TOO_LARGE',
      ],
      [
        'a route parameter over the router’s limit',
        `/api/v1/rag/documents/${'a'.repeat(200)}`,
        {},
        414,
        'URI_TOO_LONG',
      ],
      ['a malformed percent-encoding', '/api/v1/rag/documents/%E0%A4%A', {}, 400, 'MALFORMED_URL'],
      ['an unknown route', '/api/v1/nowhere', {}, 404, 'ROUTE_NOT_FOUND'],
    ])('%s', async (_, path, headers, status, code) => {
      const response = await stack.request(path, { headers });
      const body = await response.json();

      expect(response.status).toBe(status);
      expect(body).toEqual(errorShape(status, code));
      expect(response.headers.get('x-request-id')).toBe(body.request_id);
    });

    it('answers a known route with the wrong method with 405 and Allow', async () => {
      const response = await stack.request('/api/v1/rag/search', { method: 'PUT' });

      expect(response.status).toBe(405);
      expect(await response.json()).toEqual(errorShape(405, 'METHOD_NOT_ALLOWED'));
      expect(response.headers.get('allow')).toBe('POST');
    });

    it.each([
      ['malformed JSON', 'application/json', '{"unterminated', 400, 'MALFORMED_JSON'],
      ['an unsupported media type', 'text/xml', '<a/>', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'a body over the limit',
        'application/json',
        JSON.stringify({ b: 'x'.repeat(2 << 20) }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
    ])('answers %s in the same shape', async (_, type, body, status, code) => {
      const response = await stack.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual(errorShape(status, code));
    });

    it('answers a request Node cannot parse (a NUL in a header) in the same shape', async () => {
      const response = parseRawResponse(
        await rawExchange(port(), `GET /ping HTTP/1.1\r\nHost: x\r\nX-Bad: a${NUL}b\r\n\r\n`),
      );

      expect(response.status).toBe(400);
      expect(response.body).toEqual(errorShape(400, 'MALFORMED_REQUEST'));
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-request-id']).toBe(
        (response.body as { request_id: string }).request_id,
      );
    });
  });
});
