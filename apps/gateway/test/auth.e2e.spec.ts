import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';

import { LOCAL_DEFAULT_SECRETS } from '@tenantbot/config';
import {
  ApiClient,
  type ApiResponse,
  createTenantWithUsers,
  loginSuperAdmin,
  SUPER_ADMIN,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const jwtFor = (
  claims: object,
  options: { secret?: string; audience?: string; expiresIn?: number } = {},
) =>
  new JwtService().sign(
    { ...claims },
    {
      secret: options.secret ?? LOCAL_DEFAULT_SECRETS.JWT_SECRET,
      algorithm: 'HS256',
      issuer: 'tenantbot',
      audience: options.audience ?? 'tenantbot-api',
      expiresIn: options.expiresIn ?? 600,
    },
  );

describe('authentication (e2e over HTTP)', () => {
  let stack: TestStack;
  let api: ApiClient;
  let superAdmin: ApiClient;
  let acme: TenantFixture;

  beforeAll(async () => {
    stack = await TestStack.start({
      services: ['tenants'],
      env: {
        TRUST_PROXY: 'true',
        LOGIN_FAILURES_PER_IP: '8',
        LOGIN_FAILURES_PER_ACCOUNT_AND_IP: '3',
        ALLOW_SELF_REGISTRATION: 'true',
      },
    });
    // Each test speaks from its own client address, so the per-IP login limit stays per test.
    api = new ApiClient(stack.baseUrl).withHeaders({ 'X-Forwarded-For': '198.51.100.1' });
    superAdmin = await loginSuperAdmin(api);
    acme = await createTenantWithUsers(superAdmin, 'acme');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const fromAddress = (address: string) =>
    new ApiClient(stack.baseUrl).withHeaders({ 'X-Forwarded-For': address });

  it('logs the super admin in without a tenant and issues a pinned, scoped JWT', async () => {
    const response = await fromAddress('198.51.100.2').post('/api/v1/auth/login', SUPER_ADMIN);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    expect(response.body.refresh_token).toMatch(/^tbr_/);
    const [header, payload] = String(response.body.access_token)
      .split('.')
      .slice(0, 2)
      .map(
        (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
      );
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({
      iss: 'tenantbot',
      aud: 'tenantbot-api',
      role: 'super_admin',
      tenant_id: null,
    });
    expect(payload.sub).toEqual(expect.any(String));
    expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
  });

  it('logs a tenant user in by username or email, with the tenant as slug or id', async () => {
    const client = fromAddress('198.51.100.3');
    const bySlug = await client.as(undefined, acme.slug).post('/api/v1/auth/login', {
      username: 'agent-acme',
      password: acme.password,
    });
    const byIdAndEmail = await client.as(undefined, acme.id).post('/api/v1/auth/login', {
      email: `AGENT@${acme.slug}.test`,
      password: acme.password,
    });

    expect(bySlug.status).toBe(200);
    expect(byIdAndEmail.status).toBe(200);
    const me = await client.as(bySlug.body.access_token).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({
      kind: 'user',
      user: { username: 'agent-acme', role: 'agent' },
      tenant: { id: acme.id },
    });
    expect(me.body.user).not.toHaveProperty('password_hash');
  });

  it('refuses wrong passwords, other tenants and unknown tenants with clear codes', async () => {
    const client = fromAddress('198.51.100.4');
    const wrongPassword = await client.as(undefined, acme.slug).post('/api/v1/auth/login', {
      username: 'user-acme',
      password: 'not-the-password',
    });
    const platformLogin = await client.post('/api/v1/auth/login', {
      username: 'user-acme',
      password: acme.password,
    });
    const unknownTenant = await client
      .as(undefined, 'no-such-tenant')
      .post('/api/v1/auth/login', SUPER_ADMIN);

    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(platformLogin.status).toBe(401);
    expect(unknownTenant.status).toBe(404);
    expect(unknownTenant.body).toMatchObject({ code: 'TENANT_NOT_FOUND' });
  });

  it('rotates refresh tokens and revokes the whole family when a spent one is replayed', async () => {
    const client = fromAddress('198.51.100.5');
    const login = await client.post('/api/v1/auth/login', SUPER_ADMIN);
    const first = login.body.refresh_token as string;

    const rotated = await client.post('/api/v1/auth/refresh', { refresh_token: first });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first);
    expect(await client.as(rotated.body.access_token).get('/api/v1/auth/me')).toMatchObject({
      status: 200,
    });

    const replay = await client.post('/api/v1/auth/refresh', { refresh_token: first });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/already used/);
    const afterReplay = await client.post('/api/v1/auth/refresh', {
      refresh_token: rotated.body.refresh_token,
    });
    expect(afterReplay.status).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const client = fromAddress('198.51.100.6');
    const login = await client.post('/api/v1/auth/login', SUPER_ADMIN);

    expect(
      (await client.post('/api/v1/auth/logout', { refresh_token: login.body.refresh_token }))
        .status,
    ).toBe(204);
    expect(
      (await client.post('/api/v1/auth/refresh', { refresh_token: login.body.refresh_token }))
        .status,
    ).toBe(401);
  });

  it('rejects missing, forged, alg:none, wrong-audience and expired tokens with 401', async () => {
    const userId = acme.userIds.agent;
    const claims = { sub: userId, tenant_id: acme.id, role: 'agent' };
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(
        JSON.stringify({ ...claims, iss: 'tenantbot', aud: 'tenantbot-api', exp: 9_999_999_999 }),
      ).toString('base64url'),
      '',
    ].join('.');
    const cases: [string, string | undefined][] = [
      ['missing', undefined],
      ['garbage', 'not-a-token'],
      ['alg none', unsigned],
      ['wrong secret', jwtFor(claims, { secret: 'x'.repeat(40) })],
      ['wrong audience', jwtFor(claims, { audience: 'someone-else' })],
      ['expired', jwtFor(claims, { expiresIn: -10 })],
    ];
    const valid = jwtFor(claims);
    expect((await api.as(valid, acme.slug).get('/api/v1/auth/me')).status).toBe(200); // the control

    for (const [name, token] of cases) {
      const response = await api.as(token, acme.slug).get('/api/v1/auth/me');
      expect({ name, status: response.status, code: response.body.code }).toEqual({
        name,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
  });

  describe('login throttling', () => {
    const login = (address: string, tenant: string | undefined, body: object) =>
      fromAddress(address).as(undefined, tenant).post('/api/v1/auth/login', body);
    const expectThrottled = (response: ApiResponse) => {
      expect(response.status).toBe(429);
      expect(response.body).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    };

    it('counts failures, not successes: an office behind one address logs in again and again', async () => {
      // Two and a half times the per-address failure limit (8), one after another (each login
      // is a deliberately slow argon2 check, so a burst of them would only measure the CPU).
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 20; attempt++) {
        const response = await login('203.0.113.1', acme.slug, {
          username: 'user-acme',
          password: acme.password,
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual(Array(20).fill(200));
    }, 90_000);

    it('keys an account on its ids: slug or id, username or email, all hit one counter', async () => {
      const address = '203.0.113.2';
      const wrong = 'not-the-password';
      const spellings: [string, object][] = [
        [acme.slug, { username: 'agent-acme', password: wrong }],
        [acme.id, { email: `AGENT@${acme.slug}.test`, password: wrong }],
        [acme.slug.toUpperCase(), { username: 'Agent-Acme', password: wrong }],
      ];
      for (const [tenant, body] of spellings) {
        expect((await login(address, tenant, body)).status).toBe(401);
      }

      const right = await login(address, acme.id, {
        email: `agent@${acme.slug}.test`,
        password: acme.password,
      });
      expectThrottled(right);
    });

    it('throttles probing for unknown users by tenant id and lowercased name', async () => {
      const address = '203.0.113.3';
      for (const [tenant, username] of [
        [acme.slug, 'ghost'],
        [acme.id, 'GHOST'],
        [acme.slug, 'Ghost'],
      ]) {
        expect((await login(address, tenant, { username, password: 'x' })).status).toBe(401);
      }
      expectThrottled(await login(address, acme.id, { username: 'gHoSt', password: 'x' }));
      // Another unknown name from the same address is its own pair (the address is still under 8).
      expect((await login(address, acme.id, { username: 'other', password: 'x' })).status).toBe(
        401,
      );
    });

    it('blocks the attacker’s address for that account, while its owner logs in from another', async () => {
      const victim = { username: 'readonly-acme', password: acme.password };
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await login('203.0.113.66', acme.slug, { ...victim, password: 'guess' });
        expect(response.status).toBe(401);
      }

      expectThrottled(await login('203.0.113.66', acme.slug, victim));
      expect((await login('203.0.113.67', acme.slug, victim)).status).toBe(200);
      expectThrottled(await login('203.0.113.66', acme.slug, victim));
    });

    it('resets an account’s consecutive failures from an address when a login succeeds', async () => {
      const address = '203.0.113.4';
      const right = { username: 'tenant_admin-acme', password: acme.password };
      const wrong = { ...right, password: 'typo' };
      const statuses: number[] = [];
      for (const body of [wrong, wrong, right, wrong, wrong, right]) {
        statuses.push((await login(address, acme.slug, body)).status);
      }
      expect(statuses).toEqual([401, 401, 200, 401, 401, 200]);
    });

    it('limits failed logins per client address across accounts, with Retry-After', async () => {
      const address = '203.0.113.99';
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 8; attempt++) {
        const response = await login(address, undefined, {
          username: `nobody-${attempt}`,
          password: 'x',
        });
        statuses.push(response.status);
      }

      expect(statuses).toEqual(Array(8).fill(401));
      expectThrottled(await login(address, undefined, SUPER_ADMIN));
      expectThrottled(await login(address, acme.slug, { username: 'user-acme', password: 'x' }));
      expect((await login('203.0.113.100', undefined, SUPER_ADMIN)).status).toBe(200);
    });

    it('counts an IPv6 client by its /64, so rotating addresses inside it does not dodge the limit', async () => {
      for (let attempt = 0; attempt < 8; attempt++) {
        const response = await login(`2001:db8:1:2::${attempt + 1}`, undefined, {
          username: `v6-${attempt}`,
          password: 'x',
        });
        expect(response.status).toBe(401);
      }
      expectThrottled(await login('2001:db8:1:2:ffff::9', undefined, SUPER_ADMIN));
      expect((await login('2001:db8:1:3::1', undefined, SUPER_ADMIN)).status).toBe(200);
    });
  });

  describe('API keys', () => {
    it('shows the secret once, authenticates with it, and stops it at once when revoked', async () => {
      const admin = acme.as.tenant_admin;
      const created = await admin.post('/api/v1/api-keys', {
        name: 'website widget',
        role: 'user',
      });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^tbk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);

      const listed = await admin.get('/api/v1/api-keys');
      // The secret is everything after `tbk_<prefix>_`; base64url may put `_` inside it too.
      const secret = (created.body.key as string).split('_').slice(2).join('_');
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      expect(listed.body).toContainEqual(
        expect.objectContaining({ id: created.body.id, prefix: created.body.prefix }),
      );

      const withKey = api.as(created.body.key);
      const me = await withKey.get('/api/v1/auth/me');
      expect(me.body).toMatchObject({ kind: 'api_key', role: 'user', tenant: { id: acme.id } });
      expect((await withKey.get('/api/v1/admin/users')).status).toBe(403); // its role, not more

      expect((await admin.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
      expect((await withKey.get('/api/v1/auth/me')).status).toBe(401);
    });

    it('refuses an expired key and a key with a wrong secret', async () => {
      const admin = acme.as.tenant_admin;
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const created = await admin.post('/api/v1/api-keys', {
        name: 'short-lived',
        expires_at: expiresAt,
      });
      expect(created.status).toBe(201);
      const [, prefix] = String(created.body.key).split('_');
      const tampered = `tbk_${prefix}_${'A'.repeat(43)}`;

      expect((await api.as(tampered).get('/api/v1/auth/me')).status).toBe(401);
      expect((await api.as(created.body.key).get('/api/v1/auth/me')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1700));
      expect((await api.as(created.body.key).get('/api/v1/auth/me')).status).toBe(401);
    });
  });

  it('stops a deactivated tenant’s tokens and keys at once, and lets them work again after reactivation', async () => {
    const beta = await createTenantWithUsers(superAdmin, 'beta');
    const key = (await beta.as.tenant_admin.post('/api/v1/api-keys', { name: 'k', role: 'agent' }))
      .body.key as string;

    expect((await superAdmin.put(`/api/v1/tenants/${beta.id}`, { is_active: false })).status).toBe(
      200,
    );
    const tokenResponse = await beta.as.user.get('/api/v1/auth/me');
    const keyResponse = await api.as(key).get('/api/v1/auth/me');
    const login = await fromAddress('198.51.100.20')
      .as(undefined, beta.slug)
      .post('/api/v1/auth/login', {
        username: 'user-beta',
        password: beta.password,
      });

    expect(tokenResponse).toMatchObject({ status: 403, body: { code: 'TENANT_INACTIVE' } });
    expect(keyResponse).toMatchObject({ status: 403, body: { code: 'TENANT_INACTIVE' } });
    expect(login).toMatchObject({ status: 403, body: { code: 'TENANT_INACTIVE' } });

    await superAdmin.put(`/api/v1/tenants/${beta.id}`, { is_active: true });
    expect((await beta.as.user.get('/api/v1/auth/me')).status).toBe(200);
  });

  it('ends a deactivated user’s access token at once', async () => {
    const login = await fromAddress('198.51.100.21')
      .as(undefined, acme.slug)
      .post('/api/v1/auth/login', {
        username: 'user-acme',
        password: acme.password,
      });
    const token = login.body.access_token as string;
    expect((await api.as(token, acme.slug).get('/api/v1/auth/me')).status).toBe(200);

    await acme.as.tenant_admin.put(`/api/v1/admin/users/${acme.userIds.user}`, {
      is_active: false,
    });
    expect((await api.as(token, acme.slug).get('/api/v1/auth/me')).status).toBe(401);
    await acme.as.tenant_admin.put(`/api/v1/admin/users/${acme.userIds.user}`, { is_active: true });
  });

  it('resolves the tenant of a custom domain from Host and refuses a credential of another tenant', async () => {
    const domain = `chat-${randomUUID().slice(0, 6)}.example.com`;
    await superAdmin.put(`/api/v1/tenants/${acme.id}`, { domains: [domain] });
    const other = await createTenantWithUsers(superAdmin, 'gamma');
    const viaDomain = (client: ApiClient) => client.as(client.token).withHeaders({ Host: domain });

    const own = await viaDomain(acme.as.agent).get('/api/v1/auth/me');
    const foreign = await viaDomain(other.as.agent).get('/api/v1/auth/me');

    expect(own.status).toBe(200);
    expect(own.body.tenant.id).toBe(acme.id);
    expect(foreign).toMatchObject({ status: 403, body: { code: 'TENANT_MISMATCH' } });
  });

  it('registers a company and its first admin in one step when self-registration is on', async () => {
    const slug = `signup-${randomUUID().slice(0, 8)}`;
    const response = await fromAddress('198.51.100.30').post('/api/v1/tenants/register', {
      company_name: 'Signup Inc',
      slug,
      admin: {
        username: 'founder',
        email: 'founder@signup.test',
        password: 'correct horse battery',
      },
    });

    expect(response.status).toBe(201);
    expect(response.body.tenant).toMatchObject({ slug, plan: 'free', is_active: true });
    const me = await api.as(response.body.tokens.access_token).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({
      user: { username: 'founder', role: 'tenant_admin' },
      tenant: { slug },
    });

    const again = await fromAddress('198.51.100.31').post('/api/v1/tenants/register', {
      company_name: 'Copycat',
      slug,
      admin: { username: 'copycat', email: 'c@c.test', password: 'correct horse battery' },
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });
});
