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

const HANDBOOK =
  '# Returns policy\n\nCustomers may return any parcel within 30 days of delivery for a full refund. ' +
  'Refunds are paid to the original card within five working days.\n\n' +
  '# Shipping\n\nExpress shipping to the islands costs 12 euros and takes two days.';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

/** Reads Server-Sent Events as they arrive, with the time each one came in. */
async function readEvents(
  response: Response,
  onEvent?: (event: SseEvent) => void,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body?.getReader();
  if (!reader) {
    throw new Error('no body');
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      const parsed = { event, data, at: Date.now() };
      events.push(parsed);
      onEvent?.(parsed);
    }
  }
  return events;
}

describe('chat over HTTP, SSE and WebSocket (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let other: TenantFixture;

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        ANTHROPIC_BASE_URL: fake.url,
        CHAT_FALLBACK_CHAIN: 'openai,local',
      },
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
    await superAdmin.put(`/api/v1/tenants/${acme.id}`, {
      system_prompt: 'You are the Acme support assistant.',
      provider_keys: { openai: 'sk-acme-test' },
    });
    const created = await acme.as.tenant_admin.post('/api/v1/rag/documents', {
      title: 'Handbook',
      text: HANDBOOK,
    });
    expect(created.status).toBe(202);
    for (let attempt = 0; attempt < 100; attempt++) {
      const document = await acme.as.tenant_admin.get(`/api/v1/rag/documents/${created.body.id}`);
      if (document.body.status === 'completed') {
        break;
      }
      if (document.body.status === 'failed') {
        throw new Error(JSON.stringify(document.body));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it('answers from the tenant’s documents with sources, offline, and continues the conversation', async () => {
    const first = await acme.as.user.post('/api/v1/chat/', {
      message: 'How many days do customers have to return a parcel?',
      model: 'local-extractive',
    });

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      model_used: 'local-extractive',
      cost_usd: 0,
      conversation_id: expect.any(String),
      request_id: first.headers.get('x-request-id'),
    });
    expect(first.body.response).toMatch(/30 days/);
    expect(first.body.sources[0]).toMatchObject({
      filename: 'Handbook',
      text: expect.stringMatching(/30 days/),
    });

    const followUp = await acme.as.user.post('/api/v1/chat/', {
      message: 'And how much is express shipping to the islands?',
      model: 'local-extractive',
      conversation_id: first.body.conversation_id,
    });
    expect(followUp.body.conversation_id).toBe(first.body.conversation_id);
    const conversation = await acme.as.user.get(
      `/api/v1/chat/conversations/${first.body.conversation_id}`,
    );
    expect(conversation.body.messages.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('streams deltas over SSE as the provider writes them, then one done event with every field', async () => {
    fake.respond('openai', {
      text: 'Returns are accepted within thirty days of delivery.',
      chunkDelayMs: 150,
    });
    const started = Date.now();
    const response = await fetch(`${stack.baseUrl}/api/v1/chat/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${acme.as.user.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ message: 'What is the returns window?', model: 'gpt-4o-mini' }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const events = await readEvents(response);
    const deltas = events.filter((event) => event.event === 'delta');
    const done = events.at(-1);

    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((event) => event.data.content).join('')).toBe(
      'Returns are accepted within thirty days of delivery.',
    );
    expect(done?.event).toBe('done');
    expect(done?.data).toMatchObject({
      model_used: 'gpt-4o-mini',
      conversation_id: expect.any(String),
    });
    expect(Object.keys(done?.data ?? {})).toEqual(
      expect.arrayContaining([
        'response',
        'tokens_used',
        'total_tokens',
        'latency_ms',
        'cost_usd',
        'request_id',
        'sources',
      ]),
    );
    // Incremental: the first delta came long before the last one (the fake waits 150 ms between pieces).
    expect((done?.at ?? 0) - deltas[0].at).toBeGreaterThan(600);
    expect(deltas[0].at - started).toBeLessThan((done?.at ?? 0) - started);
    const seen = fake.requests.at(-1);
    expect(seen?.system).toMatch(/Acme support assistant/);
    expect(seen?.apiKey).toBe('sk-acme-test');
  });

  it('stops the provider when the SSE client goes away', async () => {
    fake.respond('openai', {
      text: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '),
      chunkDelayMs: 100,
    });
    const before = fake.requests.length;
    const controller = new AbortController();
    const response = await fetch(`${stack.baseUrl}/api/v1/chat/`, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${acme.as.user.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ message: 'Tell me everything', model: 'gpt-4o-mini', stream: true }),
    });
    const reader = response.body?.getReader();
    await reader?.read(); // the first bytes are here: the provider is writing
    controller.abort();

    const request = await fake.waitFor(
      (candidate) => fake.requests.indexOf(candidate) >= before && candidate.aborted,
      5000,
    );
    expect(request.completed).toBe(false);
  });

  it('chats over the WebSocket: deltas, done, pong; a bad token is refused', async () => {
    fake.respond('openai', { text: 'Express shipping to the islands costs 12 euros.' });
    const url = `${stack.baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=${acme.as.agent.token}`;
    const socket = new WebSocket(url);
    const received: Record<string, unknown>[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => {
        socket.send(JSON.stringify({ type: 'ping' }));
        socket.send(JSON.stringify({ type: 'typing' }));
        socket.send(JSON.stringify({ type: 'message', content: 'How much is express shipping?' }));
      });
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        received.push(message);
        if (message.type === 'done' || message.type === 'error') {
          resolve();
        }
      });
      socket.on('error', reject);
    });
    socket.close();

    expect(received[0]).toEqual({ type: 'pong' });
    expect(received.filter((m) => m.type === 'error')).toEqual([]);
    expect(received.filter((m) => m.type === 'delta').length).toBeGreaterThan(1);
    expect(received.at(-1)).toMatchObject({
      type: 'done',
      model_used: expect.any(String),
      conversation_id: expect.any(String),
    });

    const refused = await new Promise<number>((resolve) => {
      const bad = new WebSocket(
        `${stack.baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=forged`,
      );
      bad.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      bad.on('error', () => resolve(-1));
    });
    expect(refused).toBe(401);
  });

  it('keeps conversations to their tenant: B can neither read, continue nor delete A’s', async () => {
    const answer = await acme.as.user.post('/api/v1/chat/', {
      message: 'Refunds?',
      model: 'local-extractive',
    });
    const id = answer.body.conversation_id as string;

    const read = await other.as.tenant_admin.get(`/api/v1/chat/conversations/${id}`);
    const continued = await other.as.user.post('/api/v1/chat/', {
      message: 'hi',
      conversation_id: id,
      model: 'local-extractive',
    });
    const deleted = await other.as.tenant_admin.delete(`/api/v1/chat/conversations/${id}`);
    const listed = await other.as.tenant_admin.get('/api/v1/chat/conversations?scope=tenant');

    expect(read).toMatchObject({ status: 404, body: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(continued).toMatchObject({ status: 404, body: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(deleted).toMatchObject({ status: 404, body: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(listed.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await acme.as.user.get(`/api/v1/chat/conversations/${id}`)).status).toBe(200);
    const search = await other.as.tenant_admin.post('/api/v1/rag/search', {
      query: 'returns refund parcel',
    });
    expect(search.body.results).toEqual([]);
  });

  it('refuses a model the tenant may not use', async () => {
    await superAdmin.put(`/api/v1/tenants/${other.id}`, { allowed_models: ['local-extractive'] });
    const response = await other.as.user.post('/api/v1/chat/', { message: 'hi', model: 'gpt-4o' });
    expect(response).toMatchObject({ status: 403, body: { code: 'MODEL_NOT_ALLOWED' } });
  });

  it('applies a tenant’s changed settings to its very next exchange, and to no other tenant', async () => {
    const tenant = await createTenantWithUsers(superAdmin, 'settings');
    const ask = (client: ApiClient) =>
      client.post('/api/v1/chat/', { message: 'hi', model: 'local-extractive' });
    // Both chat's tenant configuration cache and the gateway's caller cache are warm now.
    expect((await ask(tenant.as.user)).status).toBe(200);
    expect((await ask(other.as.user)).status).toBe(200);

    await superAdmin.put(`/api/v1/tenants/${tenant.id}`, { allowed_models: ['gpt-4o-mini'] });
    expect(await ask(tenant.as.user)).toMatchObject({
      status: 403,
      body: { code: 'MODEL_NOT_ALLOWED' },
    });
    expect((await ask(other.as.user)).status).toBe(200);

    await superAdmin.put(`/api/v1/tenants/${tenant.id}`, { is_active: false });
    expect(await ask(tenant.as.user)).toMatchObject({
      status: 403,
      body: { code: 'TENANT_INACTIVE' },
    });
  });

  it('refuses a message with a NUL character as a validation error', async () => {
    const response = await acme.as.user.post('/api/v1/chat/', {
      message: 'before\u0000after',
      model: 'local-extractive',
    });
    expect(response).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });

  it('reports usage and stats from the chat records, exact to the token and the cent, per tenant', async () => {
    const usage = await createTenantWithUsers(superAdmin, 'usage');
    await superAdmin.put(`/api/v1/tenants/${usage.id}`, { provider_keys: { openai: 'sk-usage' } });
    fake.respond('openai', { text: 'Noted.', usage: { input: 1000, output: 500 } });
    for (const message of ['first question', 'second question']) {
      const answer = await usage.as.user.post('/api/v1/chat/', {
        message,
        model: 'gpt-4o-mini',
        use_rag: false,
      });
      expect(answer.body).toMatchObject({ model_used: 'gpt-4o-mini', cost_usd: 0.00045 });
    }

    const report = await usage.as.tenant_admin.get('/api/v1/admin/usage?group_by=model');
    expect(report.status).toBe(200);
    expect(report.body.rows).toEqual([
      {
        key: 'gpt-4o-mini',
        requests: 2,
        errors: 0,
        input_tokens: 2000,
        output_tokens: 1000,
        cost_usd: 0.0009,
      },
    ]);
    const stats = await usage.as.tenant_admin.get('/api/v1/admin/stats');
    expect(stats.body).toMatchObject({
      scope: 'tenant',
      tenant_id: usage.id,
      users: { total: 4, by_role: { tenant_admin: 1, agent: 1, user: 1, readonly: 1 } },
      documents: { total: 0 },
      chunks: 0,
      conversations: 2,
      messages: 4,
      this_month: { input_tokens: 2000, output_tokens: 1000, cost_usd: 0.0009 },
      last_24h: { requests: 2, errors: 0, error_rate: 0 },
    });

    const otherReport = await other.as.tenant_admin.get('/api/v1/admin/usage?group_by=model');
    expect(JSON.stringify(otherReport.body)).not.toContain('0.0009');
    const peeking = await other.as.tenant_admin.get(`/api/v1/admin/usage?tenant_id=${usage.id}`);
    expect(peeking.status).toBe(403);
    expect((await usage.as.user.get('/api/v1/admin/usage')).status).toBe(403);
    expect((await usage.as.agent.get('/api/v1/admin/stats')).status).toBe(403);
    const platform = await superAdmin.get('/api/v1/admin/stats');
    expect(platform.body).toMatchObject({
      scope: 'platform',
      tenants: { total: expect.any(Number) },
    });
  });

  it('counts tokens and cost per tenant in /metrics', async () => {
    const text = await stack.metricsText();
    expect(text).toMatch(
      new RegExp(
        `llm_tokens_total\\{tenant="${acme.id}",model="gpt-4o-mini",direction="output"\\} [1-9]`,
      ),
    );
    expect(text).toMatch(
      new RegExp(`llm_cost_usd_total\\{tenant="${acme.id}",model="gpt-4o-mini"\\} `),
    );
  });
});
