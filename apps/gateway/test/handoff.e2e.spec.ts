import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';

import {
  ApiClient,
  createTenantWithUsers,
  FakeLlmServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SHOP = 'https://shop.acme.test';
const WAIT_MS = 10_000;

/** A WebSocket that keeps every frame it received, and waits for the one a test expects. */
class Probe {
  readonly frames: Json[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data))));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<Probe> {
    const ws = new WebSocket(url, { headers });
    const probe = new Probe(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(probe));
      ws.once('unexpected-response', (_request, response) =>
        reject(new Error(`refused with ${response.statusCode}`)),
      );
      ws.once('error', reject);
    });
  }

  static refusal(url: string): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  async next(predicate: (frame: Json) => boolean, timeoutMs = WAIT_MS): Promise<Json> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      if (Date.now() > until) {
        throw new Error(`no such frame within ${timeoutMs} ms: ${JSON.stringify(this.frames)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends a chat message and resolves its `done` (or `error`) frame. */
  async ask(content: string, conversationId?: string): Promise<Json> {
    this.send({ type: 'message', content, conversation_id: conversationId });
    return this.next((frame) => frame.type === 'done' || frame.type === 'error', 30_000);
  }

  close(): void {
    this.ws.close();
  }
}

const socketUrl = (base: string, path: string, token: string) =>
  `${base.replace('http', 'ws')}${path}?token=${encodeURIComponent(token)}`;

describe('human handoff through the gateway (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let replicaUrl: string;
  let acme: TenantFixture;
  let other: TenantFixture;
  let widget: Json;
  let widgetWithoutHandoff: Json;

  const chatSocket = (client: ApiClient, base = stack.baseUrl) =>
    Probe.open(socketUrl(base, '/api/v1/chat/ws', String(client.token)));
  const inboxSocket = (client: ApiClient, base = stack.baseUrl) =>
    Probe.open(socketUrl(base, '/api/v1/inbox/ws', String(client.token)));

  async function visitor(key: string): Promise<ApiClient> {
    const session = await new ApiClient(stack.baseUrl)
      .withHeaders({ Origin: SHOP })
      .post('/api/v1/widget/sessions', { key });
    expect(session.status).toBe(201);
    return new ApiClient(stack.baseUrl, session.body.token).withHeaders({ Origin: SHOP });
  }

  /** A conversation of `client` the bot answered once, handed over to a person. */
  async function waitingConversation(client: ApiClient): Promise<string> {
    const answer = await client.post('/api/v1/chat/', { message: 'Where is my parcel?' });
    expect(answer.status).toBe(200);
    const id = answer.body.conversation_id as string;
    expect((await client.post(`/api/v1/chat/conversations/${id}/handoff`, {})).status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        CHAT_FALLBACK_CHAIN: 'openai,local',
        CORS_ORIGIN_CACHE_S: '0',
        TRANSPORT_TIMEOUT_MS: '30000',
      },
      readyTimeoutMs: 120_000,
    });
    replicaUrl = await stack.addGateway('gateway-replica', {});
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
    for (const tenant of [acme, other]) {
      await superAdmin.put(`/api/v1/tenants/${tenant.id}`, {
        provider_keys: { openai: 'sk-test' },
        default_model: 'gpt-4o-mini',
        allowed_models: ['gpt-4o-mini', 'local-extractive'],
      });
    }
    widget = (
      await acme.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Shop',
        allowed_origins: [SHOP],
        handoff_enabled: true,
      })
    ).body;
    widgetWithoutHandoff = (
      await acme.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Shop, bot only',
        allowed_origins: [SHOP],
      })
    ).body;
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  async function journey(userGateway: () => string, agentGateway: () => string) {
    const user = await chatSocket(acme.as.user, userGateway());
    const agent = await inboxSocket(acme.as.agent, agentGateway());
    try {
      // The user asks, the bot answers.
      fake.reset();
      const first = await user.ask('Where is my parcel?');
      expect(first).toMatchObject({ type: 'done', handled_by: 'bot', conversation_status: 'bot' });
      expect(fake.requests).toHaveLength(1);
      const id = first.conversation_id as string;

      // The user asks for a person: the agent sees it live, the user is told what to expect.
      const handoff = await acme.as.user.post(`/api/v1/chat/conversations/${id}/handoff`, {
        reason: 'the bot cannot find my parcel',
      });
      expect(handoff.status).toBe(200);
      expect(handoff.body).toMatchObject({ id, status: 'waiting_human', channel: 'websocket' });
      const waiting = await agent.next((frame) => frame.type === 'conversation.waiting');
      expect(waiting.conversation).toMatchObject({ id, status: 'waiting_human' });
      const notice = await user.next((frame) => frame.type === 'message');
      expect(notice.message).toMatchObject({ role: 'system', internal: false });
      expect(notice.message.content).toMatch(/a person will reply here/i);
      await user.next((frame) => frame.type === 'status' && frame.status === 'waiting_human');

      // The inbox lists it with its transcript, oldest request first.
      const inbox = await acme.as.agent.get('/api/v1/inbox?status=waiting_human');
      expect(inbox.status).toBe(200);
      const item = inbox.body.items.find((entry: Json) => entry.id === id);
      expect(item.messages.map((message: Json) => message.role)).toEqual([
        'user',
        'assistant',
        'system',
      ]);
      expect(item.handoff_requested_at).toEqual(expect.any(String));

      // The agent claims it, types (the user sees it), replies (the user sees it live).
      const claimed = await acme.as.agent.post(`/api/v1/inbox/${id}/claim`);
      expect(claimed.status).toBe(200);
      expect(claimed.body).toMatchObject({
        status: 'human',
        assigned_agent_id: acme.userIds.agent,
      });
      await user.next((frame) => frame.type === 'status' && frame.status === 'human');
      agent.send({ type: 'typing', conversation_id: id, is_typing: true });
      const typing = await user.next((frame) => frame.type === 'typing' && frame.from === 'agent');
      expect(typing).toMatchObject({ is_typing: true, conversation_id: id });
      const reply = await acme.as.agent.post(`/api/v1/inbox/${id}/messages`, {
        content: 'Hello, I am Ana. Your parcel left the depot this morning.',
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ role: 'agent', author_id: acme.userIds.agent });
      const delivered = await user.next(
        (frame) => frame.type === 'message' && frame.message.role === 'agent',
      );
      expect(delivered.message.content).toContain('left the depot');

      // The user types (the agent sees it) and answers: no model is called.
      fake.reset();
      user.send({ type: 'typing', is_typing: true });
      await agent.next((frame) => frame.type === 'typing' && frame.from === 'user');
      const answered = await user.ask('Thank you! When will it arrive?', id);
      expect(answered).toMatchObject({
        type: 'done',
        handled_by: 'human',
        conversation_status: 'human',
        tokens_used: { total: 0 },
      });
      const received = await agent.next(
        (frame) => frame.type === 'message' && frame.message.role === 'user',
      );
      expect(received).toMatchObject({ conversation_id: id });
      expect(fake.requests).toHaveLength(0);

      // The agent releases it: the bot answers again.
      expect((await acme.as.agent.post(`/api/v1/inbox/${id}/release`)).body.status).toBe('bot');
      await user.next((frame) => frame.type === 'status' && frame.status === 'bot');
      const again = await user.ask('And can I change the address?', id);
      expect(again).toMatchObject({ handled_by: 'bot', conversation_status: 'bot' });
      expect(fake.requests).toHaveLength(1);

      const stored = await acme.as.user.get(`/api/v1/chat/conversations/${id}`);
      expect(stored.body.messages.map((message: Json) => message.role)).toEqual([
        'user',
        'assistant',
        'system',
        'agent',
        'user',
        'user',
        'assistant',
      ]);
      expect(stored.body.messages[0].author_id).toBe(acme.userIds.user);
    } finally {
      user.close();
      agent.close();
    }
  }

  it('hands a conversation to a person and back, live, on one gateway', async () => {
    await journey(
      () => stack.baseUrl,
      () => stack.baseUrl,
    );
  }, 90_000);

  it('does the same with the user on one replica and the agent on the other', async () => {
    await journey(
      () => replicaUrl,
      () => stack.baseUrl,
    );
  }, 90_000);

  it('lets exactly one of two agents claim a conversation at once', async () => {
    const id = await waitingConversation(acme.as.user);
    const claims = await Promise.all([
      acme.as.agent.post(`/api/v1/inbox/${id}/claim`),
      acme.as.tenant_admin.post(`/api/v1/inbox/${id}/claim`),
    ]);
    expect(claims.map((claim) => claim.status).sort()).toEqual([200, 409]);
    expect(claims.find((claim) => claim.status === 409)?.body.code).toBe('ALREADY_CLAIMED');
    // The loser may not reply; the winner's claim holds.
    const loser = claims[0].status === 409 ? acme.as.agent : acme.as.tenant_admin;
    const refused = await loser.post(`/api/v1/inbox/${id}/messages`, { content: 'me too' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('NOT_ASSIGNED');
  }, 60_000);

  it('starts the handoff from a message asking for a person, without a model', async () => {
    fake.reset();
    const asked = await acme.as.user.post('/api/v1/chat/', {
      message: 'I want to talk to a human, please',
    });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({
      handled_by: 'human',
      conversation_status: 'waiting_human',
      tokens_used: { total: 0 },
    });
    expect(asked.body.response).toMatch(/a person will reply here/i);
    expect(fake.requests).toHaveLength(0);
  }, 30_000);

  it('follows the tenant’s own handoff policy, which only its admin sets', async () => {
    expect((await acme.as.agent.get('/api/v1/inbox/settings')).body).toEqual({
      phrases: [],
      use_default_phrases: true,
      on_ungrounded: false,
    });
    const refused = await acme.as.agent.put('/api/v1/inbox/settings', { phrases: ['x y z'] });
    expect(refused.status).toBe(403);
    const saved = await acme.as.tenant_admin.put('/api/v1/inbox/settings', {
      phrases: ['operator please'],
      use_default_phrases: false,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ phrases: ['operator please'], use_default_phrases: false });
    // Another tenant keeps the defaults.
    expect((await other.as.tenant_admin.get('/api/v1/inbox/settings')).body.phrases).toEqual([]);
    try {
      fake.reset();
      const byPhrase = await acme.as.user.post('/api/v1/chat/', { message: 'Operator, please!' });
      expect(byPhrase.body).toMatchObject({ handled_by: 'human' });
      const notAnymore = await acme.as.user.post('/api/v1/chat/', { message: 'talk to a human' });
      expect(notAnymore.body).toMatchObject({ handled_by: 'bot' });
      expect(fake.requests).toHaveLength(1);
    } finally {
      await acme.as.tenant_admin.put('/api/v1/inbox/settings', {
        phrases: [],
        use_default_phrases: true,
      });
    }
  }, 30_000);

  it('keeps internal notes from the user and the visitor, and shows them to agents', async () => {
    const visitorA = await visitor(widget.public_key);
    const asked = await visitorA.post('/api/v1/chat/', { message: 'Do you ship to Madeira?' });
    expect(asked.status).toBe(200);
    const id = asked.body.conversation_id as string;
    const handoff = await visitorA.post(`/api/v1/chat/conversations/${id}/handoff`, {});
    expect(handoff.body).toMatchObject({ status: 'waiting_human', channel: 'widget' });
    const note = await acme.as.agent.post(`/api/v1/inbox/${id}/messages`, {
      content: 'VIP customer, be nice',
      internal: true,
    });
    expect(note.body).toMatchObject({ role: 'system', internal: true });

    const seen = await visitorA.get(`/api/v1/chat/conversations/${id}`);
    expect(seen.status).toBe(200);
    expect(JSON.stringify(seen.body)).not.toContain('VIP customer');
    const agentsView = await acme.as.agent.get(`/api/v1/chat/conversations/${id}`);
    expect(JSON.stringify(agentsView.body)).toContain('VIP customer');

    // The widget follows its conversation over the chat socket: the agent's reply arrives
    // live, the internal notes never do.
    const socketOf = (client: ApiClient) =>
      Probe.open(socketUrl(stack.baseUrl, '/api/v1/chat/ws', String(client.token)), {
        Origin: SHOP,
      });
    const live = await socketOf(visitorA);
    const visitorB = await visitor(widget.public_key);
    const prying = await socketOf(visitorB);
    try {
      live.send({ type: 'follow', conversation_id: id });
      expect(await live.next((frame) => frame.type === 'following')).toMatchObject({
        conversation_id: id,
        status: 'waiting_human',
      });
      prying.send({ type: 'follow', conversation_id: id });
      expect(await prying.next((frame) => frame.type === 'error')).toMatchObject({
        code: 'CONVERSATION_NOT_FOUND',
      });
      await acme.as.agent.post(`/api/v1/inbox/${id}/claim`);
      await acme.as.agent.post(`/api/v1/inbox/${id}/messages`, {
        content: 'second note',
        internal: true,
      });
      await acme.as.agent.post(`/api/v1/inbox/${id}/messages`, { content: 'Yes, we do.' });
      const reply = await live.next((frame) => frame.type === 'message');
      expect(reply.message).toMatchObject({ role: 'agent', content: 'Yes, we do.' });
      expect(JSON.stringify(live.frames)).not.toContain('second note');
      expect(prying.frames).toEqual([]);
    } finally {
      live.close();
      prying.close();
    }

    // Another visitor can neither read nor hand off A's conversation.
    expect((await visitorB.get(`/api/v1/chat/conversations/${id}`)).status).toBe(404);
    const foreign = await visitorB.post(`/api/v1/chat/conversations/${id}/handoff`, {});
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('CONVERSATION_NOT_FOUND');
  }, 60_000);

  it('refuses a visitor of a widget without handoff', async () => {
    const botOnly = await visitor(widgetWithoutHandoff.public_key);
    const asked = await botOnly.post('/api/v1/chat/', { message: 'Hello there' });
    const refused = await botOnly.post(
      `/api/v1/chat/conversations/${asked.body.conversation_id}/handoff`,
      {},
    );
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FEATURE_DISABLED');
  }, 30_000);

  it('keeps the inbox to agents and tenant admins; readonly reads history only', async () => {
    const id = await waitingConversation(acme.as.user);
    for (const role of ['user', 'readonly'] as const) {
      const client = acme.as[role];
      expect((await client.get('/api/v1/inbox')).status).toBe(403);
      expect((await client.post(`/api/v1/inbox/${id}/claim`)).status).toBe(403);
      expect((await client.post(`/api/v1/inbox/${id}/messages`, { content: 'x' })).status).toBe(
        403,
      );
      const socket = socketUrl(stack.baseUrl, '/api/v1/inbox/ws', String(client.token));
      expect(await Probe.refusal(socket)).toBe(403);
    }
    expect(
      (await acme.as.readonly.post(`/api/v1/chat/conversations/${id}/handoff`, {})).status,
    ).toBe(403);
    const history = await acme.as.readonly.get('/api/v1/chat/conversations?scope=mine');
    expect(history.status).toBe(200);
  }, 60_000);

  it('never shows tenant B’s agents tenant A’s inbox, messages or live events', async () => {
    const otherAgent = await inboxSocket(other.as.agent);
    try {
      const id = await waitingConversation(acme.as.user);
      const otherInbox = await other.as.agent.get('/api/v1/inbox');
      expect(otherInbox.status).toBe(200);
      expect(JSON.stringify(otherInbox.body)).not.toContain(id);
      for (const move of ['claim', 'release', 'close']) {
        const refused = await other.as.agent.post(`/api/v1/inbox/${id}/${move}`);
        expect(refused.status).toBe(404);
      }
      const reply = await other.as.agent.post(`/api/v1/inbox/${id}/messages`, {
        content: 'hello from another tenant',
      });
      expect(reply.status).toBe(404);
      expect((await other.as.agent.get(`/api/v1/chat/conversations/${id}`)).status).toBe(404);
      // A's agent claims and replies: B's agent hears nothing of it.
      await acme.as.agent.post(`/api/v1/inbox/${id}/claim`);
      await acme.as.agent.post(`/api/v1/inbox/${id}/messages`, { content: 'A only' });
      // B's own typing about A's conversation reaches only B's sockets (it comes back, alone).
      otherAgent.send({ type: 'typing', conversation_id: id, is_typing: true });
      await otherAgent.next((frame) => frame.type === 'typing');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(otherAgent.frames).toEqual([]);
    } finally {
      otherAgent.close();
    }
  }, 60_000);

  it('closes a conversation for good', async () => {
    const id = await waitingConversation(acme.as.user);
    const closed = await acme.as.agent.post(`/api/v1/inbox/${id}/close`);
    expect(closed.body.status).toBe('closed');
    const later = await acme.as.user.post('/api/v1/chat/', {
      message: 'Hello again?',
      conversation_id: id,
    });
    expect(later.status).toBe(409);
    expect(later.body.code).toBe('CONVERSATION_CLOSED');
    const listed = await acme.as.agent.get('/api/v1/inbox?status=closed');
    expect(listed.body.items.map((item: Json) => item.id)).toContain(id);
  }, 60_000);

  it('counts the handoffs in the tenant admin’s stats, and none of them in another tenant’s', async () => {
    const stats = await acme.as.tenant_admin.get('/api/v1/admin/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.handoffs.requested).toBeGreaterThanOrEqual(6);
    expect(stats.body.handoffs.claimed).toBeGreaterThanOrEqual(4);
    expect(stats.body.handoffs.median_seconds_to_claim).toEqual(expect.any(Number));
    expect(stats.body.handoffs.resolved_by_person).toBe(stats.body.handoffs.claimed);
    const others = await other.as.tenant_admin.get('/api/v1/admin/stats');
    expect(others.body.handoffs).toMatchObject({ requested: 0, claimed: 0 });
  }, 30_000);
});
