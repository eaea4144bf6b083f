import { describe, expect, it } from 'vitest';

import { ApiError } from './errors';
import { Session } from './session';

const BASE = 'http://console.test';

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A fake of the gateway's auth routes: each refresh token works once and rotates. */
function fakeGateway(options: { refreshWorks?: boolean } = {}) {
  const calls: Call[] = [];
  let issued = 0;
  const live = new Set<string>();
  const tokens = () => {
    issued++;
    const refresh = `refresh-${issued}`;
    live.add(refresh);
    return {
      access_token: `access-${issued}`,
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: refresh,
    };
  };
  let currentAccess = '';
  const http = async (request: Request): Promise<Response> => {
    const body = request.method === 'GET' ? '' : await request.text();
    calls.push({ url: request.url, method: request.method, headers: request.headers, body });
    const path = new URL(request.url).pathname;
    if (path === '/api/v1/auth/login') {
      const parsed = JSON.parse(body) as { password: string };
      if (parsed.password !== 'right') {
        return Response.json(
          { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'wrong username or password' },
          { status: 401 },
        );
      }
      const issuedTokens = tokens();
      currentAccess = issuedTokens.access_token;
      return Response.json(issuedTokens);
    }
    if (path === '/api/v1/auth/refresh') {
      const { refresh_token } = JSON.parse(body) as { refresh_token: string };
      if (options.refreshWorks === false || !live.delete(refresh_token)) {
        return Response.json(
          { statusCode: 401, code: 'UNAUTHORIZED', message: 'no' },
          { status: 401 },
        );
      }
      const issuedTokens = tokens();
      currentAccess = issuedTokens.access_token;
      return Response.json(issuedTokens);
    }
    if (path === '/api/v1/auth/logout') {
      return new Response(null, { status: 204 });
    }
    const authorized = request.headers.get('authorization') === `Bearer ${currentAccess}`;
    return authorized
      ? Response.json({ ok: true, body })
      : Response.json(
          { statusCode: 401, code: 'UNAUTHORIZED', message: 'expired' },
          { status: 401 },
        );
  };
  return {
    calls,
    http,
    expireAccess: () => {
      currentAccess = 'expired-for-everyone';
    },
  };
}

describe('Session', () => {
  it('logs in with the tenant in X-Tenant-ID and sends both headers afterwards', async () => {
    const gateway = fakeGateway();
    const session = new Session(BASE, gateway.http);
    await session.login({ tenant: ' acme ', login: 'alice', password: 'right' });

    expect(gateway.calls[0].headers.get('x-tenant-id')).toBe('acme');
    expect(JSON.parse(gateway.calls[0].body)).toEqual({ username: 'alice', password: 'right' });
    const response = await session.fetch(new Request(`${BASE}/api/v1/tenants/me`));
    expect(response.status).toBe(200);
    expect(gateway.calls[1].headers.get('authorization')).toBe('Bearer access-1');
    expect(gateway.calls[1].headers.get('x-tenant-id')).toBe('acme');
  });

  it('sends an email login as email, and no tenant header for the platform', async () => {
    const gateway = fakeGateway();
    const session = new Session(BASE, gateway.http);
    await session.login({ tenant: '', login: 'root@platform.test', password: 'right' });
    expect(JSON.parse(gateway.calls[0].body)).toEqual({
      email: 'root@platform.test',
      password: 'right',
    });
    expect(gateway.calls[0].headers.has('x-tenant-id')).toBe(false);
    await session.fetch(new Request(`${BASE}/api/v1/tenants`));
    expect(gateway.calls[1].headers.has('x-tenant-id')).toBe(false);
  });

  it('throws the API’s message on a refused login and stays signed out', async () => {
    const session = new Session(BASE, fakeGateway().http);
    const failure = await session
      .login({ tenant: 'acme', login: 'alice', password: 'wrong' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).message).toBe('wrong username or password');
    expect(session.signedIn).toBe(false);
  });

  it('refreshes once on a 401, rotating the refresh token, and replays the request with its body', async () => {
    const gateway = fakeGateway();
    const session = new Session(BASE, gateway.http);
    await session.login({ tenant: 'acme', login: 'alice', password: 'right' });
    gateway.expireAccess();

    const response = await session.fetch(
      new Request(`${BASE}/api/v1/rag/search`, { method: 'POST', body: '{"query":"q"}' }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, body: '{"query":"q"}' });
    const refreshes = gateway.calls.filter((call) => call.url.endsWith('/auth/refresh'));
    expect(refreshes.map((call) => JSON.parse(call.body))).toEqual([
      { refresh_token: 'refresh-1' },
    ]);

    gateway.expireAccess();
    await session.fetch(new Request(`${BASE}/api/v1/tenants/me`));
    const rotated = gateway.calls.filter((call) => call.url.endsWith('/auth/refresh'));
    expect(JSON.parse(rotated[1].body)).toEqual({ refresh_token: 'refresh-2' });
  });

  it('shares one refresh between concurrent 401s', async () => {
    const gateway = fakeGateway();
    const session = new Session(BASE, gateway.http);
    await session.login({ tenant: 'acme', login: 'alice', password: 'right' });
    gateway.expireAccess();

    const answers = await Promise.all(
      [1, 2, 3].map(() => session.fetch(new Request(`${BASE}/api/v1/widgets`))),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(gateway.calls.filter((call) => call.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('ends the session when the refresh is refused, and tells the app once', async () => {
    const gateway = fakeGateway({ refreshWorks: false });
    const session = new Session(BASE, gateway.http);
    let expired = 0;
    session.onExpired(() => expired++);
    await session.login({ tenant: 'acme', login: 'alice', password: 'right' });
    gateway.expireAccess();

    const response = await session.fetch(new Request(`${BASE}/api/v1/tenants/me`));
    expect(response.status).toBe(401);
    expect(session.signedIn).toBe(false);
    expect(expired).toBe(1);
    expect(session.headers()).not.toHaveProperty('authorization');
  });

  it('keeps a tenant a request names itself (the super admin acting in a new company)', async () => {
    const gateway = fakeGateway();
    const session = new Session(BASE, gateway.http);
    await session.login({ tenant: '', login: 'admin', password: 'right' });
    await session.fetch(
      new Request(`${BASE}/api/v1/admin/users`, { headers: { 'X-Tenant-ID': 'globex' } }),
    );
    expect(gateway.calls[1].headers.get('x-tenant-id')).toBe('globex');
  });

  it('revokes the refresh token on logout and forgets both tokens', async () => {
    const gateway = fakeGateway();
    const session = new Session(BASE, gateway.http);
    await session.login({ tenant: 'acme', login: 'alice', password: 'right' });
    await session.logout();
    const logout = gateway.calls.find((call) => call.url.endsWith('/auth/logout'));
    expect(JSON.parse(logout?.body ?? '{}')).toEqual({ refresh_token: 'refresh-1' });
    expect(session.signedIn).toBe(false);
    expect(session.headers()).toEqual({});
  });
});
