import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const HANDBOOK =
  '# Returns policy\n\nCustomers may return any parcel within 30 days of delivery for a full refund.\n\n' +
  '# Shipping\n\nExpress shipping to the islands costs 12 euros and takes two days.';

const ACME_SITE = 'https://shop.acme.test';
const ACME_APP = 'https://app.acme.test';
const OTHER_SITE = 'https://www.other.test';
const EVIL = 'https://evil.example';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('web channel: CORS, widgets, visitor sessions (e2e)', () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let other: TenantFixture;
  let acmeWidget: Json;
  let otherWidget: Json;
  let limitedWidget: Json;

  const anonymous = (origin?: string) =>
    new ApiClient(stack.baseUrl).withHeaders(origin ? { Origin: origin } : {});

  async function openSession(key: string, origin: string, visitorId?: string) {
    return anonymous(origin).post('/api/v1/widget/sessions', {
      key,
      ...(visitorId ? { visitor_id: visitorId } : {}),
    });
  }

  async function visitor(key: string, origin: string): Promise<ApiClient> {
    const session = await openSession(key, origin);
    expect(session.status).toBe(201);
    return new ApiClient(stack.baseUrl, session.body.token).withHeaders({ Origin: origin });
  }

  beforeAll(async () => {
    // Generous deadlines: the machine running the suite may be busy (password hashing is CPU-bound).
    stack = await TestStack.start({
      env: { CORS_ORIGIN_CACHE_S: '0', TRANSPORT_TIMEOUT_MS: '30000' },
      readyTimeoutMs: 90_000,
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
    const created = await acme.as.tenant_admin.post('/api/v1/rag/documents', {
      title: 'Handbook',
      text: HANDBOOK,
    });
    expect(created.status).toBe(202);
    for (let attempt = 0; attempt < 200; attempt++) {
      const document = await acme.as.tenant_admin.get(`/api/v1/rag/documents/${created.body.id}`);
      if (document.body.status === 'completed') {
        break;
      }
      if (document.body.status === 'failed') {
        throw new Error(JSON.stringify(document.body));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    acmeWidget = (
      await acme.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Shop',
        allowed_origins: [ACME_SITE],
        branding: { title: 'Acme help', primary_color: '#aa0000' },
      })
    ).body;
    limitedWidget = (
      await acme.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Limited',
        allowed_origins: [ACME_SITE],
        limits: { messages_per_minute: 2, messages_per_visitor_per_day: 100 },
      })
    ).body;
    otherWidget = (
      await other.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Other site',
        allowed_origins: [OTHER_SITE],
      })
    ).body;
    expect(acmeWidget.public_key).toMatch(/^pk_[A-Za-z0-9_-]{24}$/);
    expect(otherWidget.public_key).toMatch(/^pk_/);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('lets tenant admins manage their widgets, and nobody else see or change them', async () => {
    const admin = acme.as.tenant_admin;
    expect(acmeWidget).toMatchObject({
      name: 'Shop',
      allowed_origins: [ACME_SITE],
      assistant_id: null,
      handoff_enabled: false,
      is_active: true,
      branding: {
        title: 'Acme help',
        primary_color: '#aa0000',
        position: 'bottom-right',
        placeholder: expect.any(String),
      },
      limits: { messages_per_minute: 10, messages_per_visitor_per_day: 200 },
    });
    const updated = await admin.put(`/api/v1/widgets/${acmeWidget.id}`, {
      branding: { greeting: 'Welcome to Acme!' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.branding).toMatchObject({
      title: 'Acme help',
      greeting: 'Welcome to Acme!',
    });
    expect(updated.body.public_key).toBe(acmeWidget.public_key);

    const listed = await admin.get('/api/v1/widgets');
    expect(listed.body.map((widget: Json) => widget.id)).toEqual(
      expect.arrayContaining([acmeWidget.id, limitedWidget.id]),
    );
    expect(listed.body.map((widget: Json) => widget.id)).not.toContain(otherWidget.id);

    for (const role of ['agent', 'user', 'readonly'] as const) {
      expect((await acme.as[role].get('/api/v1/widgets')).status).toBe(403);
      expect(
        (await acme.as[role].post('/api/v1/widgets', { name: 'x', allowed_origins: [ACME_SITE] }))
          .status,
      ).toBe(403);
    }
    const outsider = other.as.tenant_admin;
    expect((await outsider.get(`/api/v1/widgets/${acmeWidget.id}`)).body.code).toBe(
      'WIDGET_NOT_FOUND',
    );
    expect((await outsider.put(`/api/v1/widgets/${acmeWidget.id}`, { name: 'mine' })).status).toBe(
      404,
    );
    expect((await outsider.delete(`/api/v1/widgets/${acmeWidget.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/widgets/${acmeWidget.id}`)).body.name).toBe('Shop');
  });

  it('refuses widgets without exact origins, and bad fields, with 400', async () => {
    const admin = acme.as.tenant_admin;
    for (const body of [
      { name: 'No origins' },
      { name: 'Empty', allowed_origins: [] },
      { name: 'Wildcard', allowed_origins: ['https://*.acme.test'] },
      { name: 'Path', allowed_origins: ['https://acme.test/shop'] },
      { name: 'Color', allowed_origins: [ACME_SITE], branding: { primary_color: 'red' } },
      { name: 'Limits', allowed_origins: [ACME_SITE], limits: { messages_per_minute: 0 } },
      { name: 'Unknown', allowed_origins: [ACME_SITE], secret: true },
    ]) {
      const response = await admin.post('/api/v1/widgets', body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers CORS per tenant: preflights, answers, never a wildcard', async () => {
    expect(
      (await acme.as.tenant_admin.put('/api/v1/tenants/me', { allowed_origins: [ACME_APP] }))
        .status,
    ).toBe(200);

    const preflight = (origin: string) =>
      anonymous(origin)
        .withHeaders({
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,x-tenant-id,content-type',
        })
        .call('OPTIONS', '/api/v1/chat/');
    const allowed = await preflight(ACME_APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ACME_APP);
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
    for (const header of ['Authorization', 'X-Tenant-ID', 'Content-Type', 'Idempotency-Key']) {
      expect(allowed.headers.get('access-control-allow-headers')).toContain(header);
    }
    expect(Number(allowed.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    const widgetOrigin = await preflight(ACME_SITE);
    expect(widgetOrigin.headers.get('access-control-allow-origin')).toBe(ACME_SITE);

    const refused = await preflight(EVIL);
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-headers')).toBeNull();

    // The answer itself: only the resolved tenant's own origins may read it.
    const own = await acme.as.user
      .withHeaders({ Origin: ACME_APP })
      .get('/api/v1/chat/conversations');
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe(ACME_APP);
    expect(own.headers.get('vary')).toMatch(/Origin/);
    const foreign = await other.as.user
      .withHeaders({ Origin: ACME_APP })
      .get('/api/v1/chat/conversations');
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const evil = await acme.as.user.withHeaders({ Origin: EVIL }).get('/api/v1/chat/conversations');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    for (const response of [allowed, own, foreign, evil]) {
      expect(response.headers.get('access-control-allow-origin')).not.toBe('*');
    }
  });

  it('opens visitor sessions only from the widget’s origins, and renews them', async () => {
    const session = await openSession(acmeWidget.public_key, ACME_SITE);
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({
      token: expect.any(String),
      token_type: 'bearer',
      visitor_id: expect.stringMatching(/^v_[A-Za-z0-9_-]{22,}$/),
    });
    expect(session.body.expires_in).toBeLessThanOrEqual(900);
    expect(session.headers.get('access-control-allow-origin')).toBe(ACME_SITE);

    const renewed = await openSession(acmeWidget.public_key, ACME_SITE, session.body.visitor_id);
    expect(renewed.status).toBe(201);
    expect(renewed.body.visitor_id).toBe(session.body.visitor_id);

    const config = await anonymous(ACME_SITE).get(
      `/api/v1/widget/config?key=${acmeWidget.public_key}`,
    );
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ title: 'Acme help', primary_color: '#aa0000' });
    expect(config.body.allowed_origins).toBeUndefined();

    for (const origin of [EVIL, OTHER_SITE, ACME_APP]) {
      const refused = await openSession(acmeWidget.public_key, origin);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('ORIGIN_NOT_ALLOWED');
      expect(refused.body.token).toBeUndefined();
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const refusedConfig = await anonymous(origin).get(
        `/api/v1/widget/config?key=${acmeWidget.public_key}`,
      );
      expect(refusedConfig.body.code).toBe('ORIGIN_NOT_ALLOWED');
    }
    const noOrigin = await anonymous().post('/api/v1/widget/sessions', {
      key: acmeWidget.public_key,
    });
    expect(noOrigin.body.code).toBe('ORIGIN_NOT_ALLOWED');

    const unknown = await openSession(`pk_${'x'.repeat(24)}`, ACME_SITE);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'WIDGET_NOT_FOUND']);
    for (const body of [
      { key: 'tbk_secret' },
      { key: acmeWidget.public_key, visitor_id: 'alice' },
      { key: acmeWidget.public_key, extra: 1 },
      {},
    ]) {
      const bad = await anonymous(ACME_SITE).post('/api/v1/widget/sessions', body);
      expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const malformed = await anonymous(ACME_SITE).post('/api/v1/widget/sessions', '{"key":');
    expect([malformed.status, malformed.body.code]).toEqual([400, 'MALFORMED_JSON']);
  });

  it('refuses sessions of an inactive widget or tenant, and stops their visitors at once', async () => {
    const closed = await createTenantWithUsers(superAdmin, 'closed');
    const widget = (
      await closed.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Soon off',
        allowed_origins: ['https://closed.test'],
      })
    ).body;
    const client = await visitor(widget.public_key, 'https://closed.test');
    expect((await client.get('/api/v1/chat/conversations')).status).toBe(200);

    await closed.as.tenant_admin.put(`/api/v1/widgets/${widget.id}`, { is_active: false });
    const inactive = await openSession(widget.public_key, 'https://closed.test');
    expect([inactive.status, inactive.body.code]).toEqual([403, 'WIDGET_INACTIVE']);
    expect((await client.get('/api/v1/chat/conversations')).body.code).toBe('WIDGET_INACTIVE');

    await closed.as.tenant_admin.put(`/api/v1/widgets/${widget.id}`, { is_active: true });
    await superAdmin.put(`/api/v1/tenants/${closed.id}`, { is_active: false });
    const tenantOff = await openSession(widget.public_key, 'https://closed.test');
    expect([tenantOff.status, tenantOff.body.code]).toEqual([403, 'TENANT_INACTIVE']);
    expect((await client.get('/api/v1/chat/conversations')).status).toBe(403);
  });

  it('lets a visitor chat in, stream and read its own conversations, and nothing else', async () => {
    const alice = await visitor(acmeWidget.public_key, ACME_SITE);
    const first = await alice.post('/api/v1/chat/', {
      message: 'How many days do I have to return a parcel?',
      model: 'gpt-4o',
      temperature: 2,
    });
    expect(first.status).toBe(200);
    expect(first.body.response).toMatch(/30 days/);
    expect(first.body.model_used).toBe('local-extractive');
    expect(first.body.sources[0]).toMatchObject({ filename: 'Handbook' });
    expect(first.headers.get('access-control-allow-origin')).toBe(ACME_SITE);
    const conversationId = first.body.conversation_id;

    const streamed = await fetch(`${stack.baseUrl}/api/v1/chat/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.token}`,
        origin: ACME_SITE,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ message: 'And express shipping?', conversation_id: conversationId }),
    });
    expect(streamed.headers.get('access-control-allow-origin')).toBe(ACME_SITE);
    const events = await streamed.text();
    expect(events).toMatch(/event: delta/);
    expect(events).toMatch(/event: done/);
    expect(events).toMatch(/12 euros/);

    const read = await alice.get(`/api/v1/chat/conversations/${conversationId}`);
    expect(read.status).toBe(200);
    expect(read.body.messages).toHaveLength(4);
    const listed = await alice.get('/api/v1/chat/conversations');
    expect(listed.body.items.map((item: Json) => item.id)).toEqual([conversationId]);

    // Another visitor of the same widget, a user and a visitor of another tenant: not found.
    const bob = await visitor(acmeWidget.public_key, ACME_SITE);
    const mallory = await visitor(otherWidget.public_key, OTHER_SITE);
    for (const stranger of [bob, mallory, acme.as.user]) {
      const response = await stranger.get(`/api/v1/chat/conversations/${conversationId}`);
      expect([response.status, response.body.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
      const continued = await stranger.post('/api/v1/chat/', {
        message: 'What did I ask before?',
        conversation_id: conversationId,
      });
      expect(continued.body.code).toBe('CONVERSATION_NOT_FOUND');
    }

    // Feedback: the visitor rates its own answer; another visitor or tenant cannot.
    const answerId = read.body.messages[1].id;
    const feedbackPath = `/api/v1/chat/messages/${answerId}/feedback`;
    for (const stranger of [bob, mallory]) {
      const refused = await stranger.post(feedbackPath, { rating: 'down' });
      expect([refused.status, refused.body.code]).toEqual([404, 'MESSAGE_NOT_FOUND']);
    }
    const rated = await alice.post(feedbackPath, { rating: 'up', comment: 'Clear' });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ message_id: answerId, rating: 'up', comment: 'Clear' });
    expect((await bob.get('/api/v1/chat/conversations')).body.items).toEqual([]);
    expect((await acme.as.agent.get(`/api/v1/chat/conversations/${conversationId}`)).status).toBe(
      200,
    );
    // The other tenant's visitor gets nothing of acme's documents, even naming acme.
    const search = await mallory
      .withHeaders({ 'X-Tenant-ID': acme.slug })
      .post('/api/v1/chat/', { message: 'How many days do I have to return a parcel?' });
    expect(search.status).toBe(200);
    expect(search.body.response).not.toMatch(/30 days/);
    expect(search.body.sources).toEqual([]);

    // Every other route refuses a visitor token.
    for (const [method, path, body] of [
      ['POST', '/api/v1/rag/search', { query: 'returns' }],
      ['GET', '/api/v1/rag/documents'],
      ['GET', '/api/v1/widgets'],
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/tenants/me'],
      ['GET', '/api/v1/admin/stats'],
      ['GET', '/api/v1/admin/export/conversations'],
      ['GET', '/api/v1/webhooks'],
      ['GET', '/api/v1/chat/conversations?scope=tenant'],
      ['DELETE', `/api/v1/chat/conversations/${conversationId}`],
    ] as const) {
      const response = await alice.call(method, path, body);
      expect([path, response.status, response.body.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
  });

  it('binds a visitor token to its origin, its audience and its signature', async () => {
    const session = await openSession(acmeWidget.public_key, ACME_SITE);
    const token = session.body.token as string;
    for (const origin of [EVIL, OTHER_SITE]) {
      const response = await new ApiClient(stack.baseUrl, token)
        .withHeaders({ Origin: origin })
        .get('/api/v1/chat/conversations');
      expect([response.status, response.body.code]).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    }
    const noOrigin = await new ApiClient(stack.baseUrl, token).get('/api/v1/chat/conversations');
    expect(noOrigin.body.code).toBe('ORIGIN_NOT_ALLOWED');

    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    const refused = await new ApiClient(stack.baseUrl, forged)
      .withHeaders({ Origin: ACME_SITE })
      .get('/api/v1/chat/conversations');
    expect([refused.status, refused.body.code]).toEqual([401, 'UNAUTHORIZED']);

    // A user token is never taken for a visitor token: it keeps its own rights, not a visitor's.
    const user = await acme.as.user.withHeaders({ Origin: ACME_SITE }).get('/api/v1/chat/models');
    expect(user.status).toBe(200);
  });

  it('enforces the widget’s per-visitor limits on REST and WebSocket', async () => {
    const carol = await visitor(limitedWidget.public_key, ACME_SITE);
    for (let message = 0; message < 2; message++) {
      expect((await carol.post('/api/v1/chat/', { message: 'Shipping?' })).status).toBe(200);
    }
    const limited = await carol.post('/api/v1/chat/', { message: 'Shipping again?' });
    expect([limited.status, limited.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-allow-origin')).toBe(ACME_SITE);

    const frames = await socketExchange(carol.token ?? '', ACME_SITE, [
      { type: 'message', content: 'Over the socket?' },
    ]);
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'RATE_LIMITED',
      retry_after_s: expect.any(Number),
    });

    const dave = await visitor(limitedWidget.public_key, ACME_SITE);
    expect((await dave.post('/api/v1/chat/', { message: 'Shipping?' })).status).toBe(200);
  });

  it('speaks typing and ping over the visitor’s WebSocket, and refuses bad frames cleanly', async () => {
    const erin = await visitor(acmeWidget.public_key, ACME_SITE);
    const frames = await socketExchange(erin.token ?? '', ACME_SITE, [
      { type: 'ping' },
      { type: 'typing', is_typing: true },
      { type: 'typing', is_typing: 'yes' },
      { type: 'message', content: 'x'.repeat(32_001) },
      { type: 'message', content: 'How much is express shipping?' },
    ]);
    expect(frames[0]).toEqual({ type: 'pong' });
    expect(frames[1]).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    expect(frames[2]).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    expect(frames[3]).toEqual({ type: 'typing', is_typing: true });
    const stopped = frames.findIndex(
      (frame) => frame.type === 'typing' && frame.is_typing === false,
    );
    const firstDelta = frames.findIndex((frame) => frame.type === 'delta');
    expect(stopped).toBeGreaterThan(3);
    expect(firstDelta).toBeGreaterThan(stopped);
    expect(frames.at(-1)).toMatchObject({
      type: 'done',
      response: expect.stringMatching(/12 euros/),
    });

    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(
        `${stack.baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=${erin.token}`,
        { origin: EVIL },
      );
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => resolve(-1));
    });
    expect(refused).toBe(403);
  });

  it('serves the widget loader, its alias and a demo page', async () => {
    const loader = await fetch(`${stack.baseUrl}/widget/embed.js`);
    expect(loader.status).toBe(200);
    expect(loader.headers.get('content-type')).toMatch(/^application\/javascript/);
    const code = await loader.text();
    expect(code).toContain('TenantbotChat');
    expect(code).toContain('attachShadow');
    expect(await (await fetch(`${stack.baseUrl}/chat/embed.js`)).text()).toBe(code);

    const demo = await fetch(`${stack.baseUrl}/chat/widget?key=${acmeWidget.public_key}`);
    expect(demo.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await demo.text()).toContain(
      `<script src="/widget/embed.js" data-key="${acmeWidget.public_key}" async></script>`,
    );
    const injected = await anonymous().get(
      `/chat/widget?key=${encodeURIComponent('"><script>alert(1)</script>')}`,
    );
    expect([injected.status, injected.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('creates nothing for 1,000 session requests from a wrong origin', async () => {
    const before = await acme.as.tenant_admin.get('/api/v1/admin/stats');
    const widgetsBefore = (await acme.as.tenant_admin.get('/api/v1/widgets')).body.length;
    const codes = new Map<string, number>();
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => openSession(acmeWidget.public_key, EVIL)),
      );
      for (const response of responses) {
        expect(response.body.token).toBeUndefined();
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        const key = `${response.status} ${response.body.code}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
      }
    }
    expect([...codes]).toEqual([['403 ORIGIN_NOT_ALLOWED', 1000]]);
    const after = await acme.as.tenant_admin.get('/api/v1/admin/stats');
    expect(after.body.conversations).toEqual(before.body.conversations);
    expect((await acme.as.tenant_admin.get('/api/v1/widgets')).body.length).toBe(widgetsBefore);
  }, 120_000);

  async function socketExchange(
    token: string,
    origin: string,
    frames: object[],
  ): Promise<Record<string, unknown>[]> {
    const socket = new WebSocket(
      `${stack.baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=${token}`,
      {
        origin,
      },
    );
    const received: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      const expectsAnswer = frames.some((frame) => (frame as { type: string }).type === 'message');
      socket.on('open', () => frames.forEach((frame) => socket.send(JSON.stringify(frame))));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        received.push(message);
        const finished =
          message.type === 'done' ||
          (message.type === 'error' && message.code !== 'VALIDATION_FAILED') ||
          (!expectsAnswer && received.length === frames.length);
        if (finished) {
          resolve();
        }
      });
      socket.on('error', reject);
    });
    socket.close();
    return received;
  }
});
