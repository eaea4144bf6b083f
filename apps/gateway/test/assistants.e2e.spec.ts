import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
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

const PRICING = `# Premium plan

The premium plan costs 99 euros a month and includes priority support.`;
const INTERNAL = `# Premium plan margins

The premium plan costs us 41 euros a month to serve; its margin is confidential.`;
const PREMIUM_QUESTION = 'How much does the premium plan cost a month?';
const SITE = 'https://shop.acme.test';

/** Seed 004's role assistants, one API call each (the README shows the same calls). */
const SEED_ASSISTANTS = [
  {
    name: 'InfraBot',
    description: 'Infrastructure management and system monitoring',
    system_prompt: 'You are InfraBot. You help the platform operator with infrastructure.',
    roles: ['super_admin'],
  },
  {
    name: 'BizBot',
    description: 'Business operations and analytics',
    system_prompt: 'You are BizBot. You help tenant admins with business operations.',
    model: 'gpt-4o',
    temperature: 0.2,
    roles: ['tenant_admin'],
  },
  {
    name: 'MarketBot',
    description: 'Marketing campaigns and lead management',
    system_prompt: 'You are MarketBot. You help users with marketing campaigns.',
    roles: ['user'],
  },
  {
    name: 'InfoBot',
    description: 'General support and information',
    system_prompt: 'You are InfoBot. You answer general questions.',
    roles: ['readonly'],
  },
];

describe('assistants over HTTP, SSE, WebSocket and the widget (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let other: TenantFixture;
  let pricingId: string;
  let internalId: string;
  const seeded: Record<string, Json> = {};

  async function ingest(client: ApiClient, body: object): Promise<string> {
    const created = await client.post('/api/v1/rag/documents', body);
    expect(created.status).toBe(202);
    return waitUntilIngested(client, String(created.body.id));
  }

  async function waitUntilIngested(client: ApiClient, id: string): Promise<string> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const document = await client.get(`/api/v1/rag/documents/${id}`);
      if (document.body.status === 'completed') {
        return id;
      }
      if (document.body.status === 'failed') {
        throw new Error(JSON.stringify(document.body));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${id} was not ingested`);
  }

  function cited(answer: Json): string[] {
    return (answer.sources as { document_id: string }[]).map((source) => source.document_id);
  }

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        ANTHROPIC_BASE_URL: fake.url,
        CHAT_FALLBACK_CHAIN: 'openai,local',
        CORS_ORIGIN_CACHE_S: '0',
        TRANSPORT_TIMEOUT_MS: '30000',
      },
      readyTimeoutMs: 90_000,
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
    const configured = await superAdmin.put(`/api/v1/tenants/${acme.id}`, {
      system_prompt: 'You are the Acme support assistant.',
      provider_keys: { openai: 'sk-acme-test' },
      default_model: 'gpt-4o-mini',
    });
    expect(configured.status).toBe(200);
    [pricingId, internalId] = await Promise.all([
      ingest(acme.as.tenant_admin, { title: 'Pricing', text: PRICING, tags: ['pricing'] }),
      ingest(acme.as.tenant_admin, { title: 'Internal', text: INTERNAL, tags: ['Internal'] }),
    ]);
    for (const body of SEED_ASSISTANTS) {
      const created = await acme.as.tenant_admin.post('/api/v1/assistants', body);
      expect(created.status).toBe(201);
      seeded[body.name] = created.body;
    }
  });

  beforeEach(() => {
    fake.reset();
    fake.respond('openai', { text: 'From the documents [1].' });
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it("has a default assistant that follows the tenant's system prompt until given its own", async () => {
    const listed = await acme.as.tenant_admin.get('/api/v1/assistants');
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(5);
    const byDefault = listed.body.items[0];
    expect(byDefault).toMatchObject({ slug: 'assistant', is_default: true, system_prompt: null });

    const first = await acme.as.user.post('/api/v1/chat/', { message: 'Hello', use_rag: false });
    expect(first.status).toBe(200);
    expect(first.body.assistant_id).toBe(byDefault.id);
    expect(fake.requests[0].system).toContain('You are the Acme support assistant.');

    await superAdmin.put(`/api/v1/tenants/${acme.id}`, {
      system_prompt: 'You are the new Acme assistant.',
    });
    const second = await acme.as.user.post('/api/v1/chat/', { message: 'Hello', use_rag: false });
    expect(second.status).toBe(200);
    expect(fake.requests[1].system).toContain('You are the new Acme assistant.');

    const customised = await acme.as.tenant_admin.put(`/api/v1/assistants/${byDefault.id}`, {
      system_prompt: 'You are the default, customised.',
    });
    expect(customised.status).toBe(200);
    await acme.as.user.post('/api/v1/chat/', { message: 'Hello', use_rag: false });
    expect(fake.requests[2].system).toContain('You are the default, customised.');
    expect(fake.requests[2].system).not.toContain('new Acme assistant');
  });

  it("creates seed 004's role assistants in one call each and lists each role its own", async () => {
    expect(seeded.BizBot).toMatchObject({
      slug: 'bizbot',
      model: 'gpt-4o',
      temperature: 0.2,
      roles: ['tenant_admin'],
      widgets_allowed: false,
      is_default: false,
    });
    const names = async (client: ApiClient) => {
      const usable = await client.get('/api/v1/chat/assistants');
      expect(usable.status).toBe(200);
      return (usable.body.items as { name: string }[]).map((item) => item.name).sort();
    };
    expect(await names(acme.as.user)).toEqual(['Assistant', 'MarketBot']);
    expect(await names(acme.as.tenant_admin)).toEqual(['Assistant', 'BizBot']);
    expect(await names(acme.as.readonly)).toEqual(['Assistant', 'InfoBot']);
    expect(await names(acme.as.agent)).toEqual(['Assistant']);
    const asSuperAdmin = superAdmin.as(superAdmin.token, acme.id);
    expect(await names(asSuperAdmin)).toHaveLength(5);
    const usable = await acme.as.user.get('/api/v1/chat/assistants');
    expect(usable.body.items[0]).not.toHaveProperty('system_prompt');
  });

  it("answers with the assistant's prompt, model and temperature, and names it", async () => {
    const reply = await acme.as.tenant_admin.post('/api/v1/chat/', {
      message: 'How is business?',
      use_rag: false,
      assistant_id: seeded.BizBot.id,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ assistant_id: seeded.BizBot.id, model_used: 'gpt-4o' });
    expect(fake.requests[0].model).toBe('gpt-4o');
    expect(fake.requests[0].body.temperature).toBe(0.2);
    expect(fake.requests[0].system).toContain('You are BizBot.');
  });

  it('refuses an assistant of another role with 403, before any model is called', async () => {
    const refused = await acme.as.user.post('/api/v1/chat/', {
      message: 'How is business?',
      assistant_id: seeded.BizBot.id,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ASSISTANT_FORBIDDEN');
    const unknown = await acme.as.user.post('/api/v1/chat/', {
      message: 'Hi',
      assistant_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ASSISTANT_NOT_FOUND');
    expect(fake.requests).toHaveLength(0);
  });

  it('names the assistant in the SSE done event and on the WebSocket, and refuses there too', async () => {
    const response = await fetch(`${stack.baseUrl}/api/v1/chat/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${acme.as.user.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({
        message: 'Plan a campaign',
        use_rag: false,
        assistant_id: seeded.MarketBot.id,
      }),
    });
    const text = await response.text();
    const done = /event: done\ndata: (.*)/.exec(text)?.[1];
    expect(JSON.parse(done ?? '{}')).toMatchObject({ assistant_id: seeded.MarketBot.id });
    expect(fake.requests[0].system).toContain('You are MarketBot.');

    const frames = await socketExchange(acme.as.user.token ?? '', [
      { type: 'message', content: 'Plan a campaign', assistant_id: seeded.MarketBot.id },
      { type: 'message', content: 'And business?', assistant_id: seeded.BizBot.id },
    ]);
    const last = frames.filter((frame) => frame.type === 'done' || frame.type === 'error');
    expect(last[0]).toMatchObject({ type: 'done', assistant_id: seeded.MarketBot.id });
    expect(last[1]).toMatchObject({ type: 'error', code: 'ASSISTANT_FORBIDDEN' });
  });

  it('never cites a document outside the assistant’s knowledge', async () => {
    const unscoped = await acme.as.tenant_admin.post('/api/v1/chat/', {
      message: PREMIUM_QUESTION,
      model: 'local-extractive',
    });
    expect(cited(unscoped.body)).toEqual(expect.arrayContaining([pricingId, internalId]));

    const salesBot = await acme.as.tenant_admin.post('/api/v1/assistants', {
      name: 'SalesBot',
      knowledge: { tags: ['pricing'] },
    });
    expect(salesBot.status).toBe(201);
    const scoped = await acme.as.user.post('/api/v1/chat/', {
      message: PREMIUM_QUESTION,
      model: 'local-extractive',
      assistant_id: salesBot.body.id,
    });
    expect(scoped.status).toBe(200);
    expect(cited(scoped.body)).toContain(pricingId);
    expect(cited(scoped.body)).not.toContain(internalId);

    const byId = await acme.as.tenant_admin.post('/api/v1/assistants', {
      name: 'InternalBot',
      knowledge: { document_ids: [internalId] },
    });
    const internal = await acme.as.user.post('/api/v1/chat/', {
      message: PREMIUM_QUESTION,
      model: 'local-extractive',
      assistant_id: byId.body.id,
    });
    expect(cited(internal.body)).toEqual(expect.arrayContaining([internalId]));
    expect(cited(internal.body)).not.toContain(pricingId);

    // Retagging a document moves it into the scope at once, with nothing re-indexed.
    const retagged = await acme.as.tenant_admin.call(
      'PATCH',
      `/api/v1/rag/documents/${internalId}`,
      {
        tags: ['internal', 'pricing'],
      },
    );
    expect(retagged.status).toBe(200);
    expect(retagged.body.tags).toEqual(['internal', 'pricing']);
    const widened = await acme.as.user.post('/api/v1/chat/', {
      message: PREMIUM_QUESTION,
      model: 'local-extractive',
      assistant_id: salesBot.body.id,
    });
    expect(cited(widened.body)).toEqual(expect.arrayContaining([pricingId, internalId]));
    await acme.as.tenant_admin.call('PATCH', `/api/v1/rag/documents/${internalId}`, {
      tags: ['internal'],
    });
  });

  it('answers from the knowledge an assistant has now, not the one its last exchange searched', async () => {
    const bot = await acme.as.tenant_admin.post('/api/v1/assistants', {
      name: 'ShiftingBot',
      knowledge: { document_ids: [pricingId] },
    });
    expect(bot.status).toBe(201);
    const ask = () =>
      acme.as.user.post('/api/v1/chat/', {
        message: PREMIUM_QUESTION,
        model: 'local-extractive',
        assistant_id: bot.body.id,
      });
    const first = await ask();
    expect(cited(first.body)).toContain(pricingId);
    expect(cited(first.body)).not.toContain(internalId);

    // The next exchange starts searching with the pricing scope before it reads the assistant:
    // that search must not be what answers once the knowledge moved.
    const moved = await acme.as.tenant_admin.put(`/api/v1/assistants/${bot.body.id}`, {
      knowledge: { document_ids: [internalId] },
    });
    expect(moved.status).toBe(200);
    const second = await ask();
    expect(cited(second.body)).toContain(internalId);
    expect(cited(second.body)).not.toContain(pricingId);

    const emptied = await acme.as.tenant_admin.put(`/api/v1/assistants/${bot.body.id}`, {
      knowledge: { document_ids: [] },
    });
    expect(emptied.status).toBe(200);
    const third = await ask();
    expect(third.status).toBe(200);
    expect(cited(third.body)).toEqual([]);
  });

  it("never answers a tenant from another tenant's passages, however warm its searches", async () => {
    const ours = await acme.as.user.post('/api/v1/chat/', {
      message: PREMIUM_QUESTION,
      model: 'local-extractive',
    });
    expect(cited(ours.body)).toEqual(expect.arrayContaining([pricingId, internalId]));
    const theirs = await other.as.user.post('/api/v1/chat/', {
      message: PREMIUM_QUESTION,
      model: 'local-extractive',
    });
    expect(theirs.status).toBe(200);
    expect(theirs.body.sources).toEqual([]);
    expect(theirs.body.response).not.toMatch(/99 euros|41 euros/);
  });

  it('takes tags at upload (multipart and JSON), shows them and filters by them', async () => {
    const form = new FormData();
    form.append('tags', 'Faq, billing');
    form.append(
      'file',
      new Blob(['# FAQ\n\nInvoices are sent monthly.'], { type: 'text/markdown' }),
      'faq.md',
    );
    const uploaded = await fetch(`${stack.baseUrl}/api/v1/rag/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.as.tenant_admin.token}` },
      body: form,
    });
    const document = (await uploaded.json()) as Json;
    expect(uploaded.status).toBe(202);
    expect(document.tags).toEqual(['faq', 'billing']);
    await waitUntilIngested(acme.as.tenant_admin, String(document.id));

    const filtered = await acme.as.tenant_admin.get('/api/v1/rag/documents?tag=pricing');
    expect(filtered.body.items.map((item: Json) => item.id)).toEqual([pricingId]);
    expect(
      (await acme.as.tenant_admin.get(`/api/v1/rag/documents/${internalId}`)).body.tags,
    ).toEqual(['internal']);
    const badTag = await acme.as.tenant_admin.call('PATCH', `/api/v1/rag/documents/${internalId}`, {
      tags: ['no<html>'],
    });
    expect(badTag.status).toBe(400);
    const byUser = await acme.as.user.call('PATCH', `/api/v1/rag/documents/${internalId}`, {
      tags: ['mine'],
    });
    expect(byUser.status).toBe(403);
  });

  it('validates what an admin writes, with stable codes', async () => {
    const admin = acme.as.tenant_admin;
    const allowed = await superAdmin.put(`/api/v1/tenants/${acme.id}`, {
      allowed_models: ['gpt-4o-mini', 'gpt-4o', 'local-extractive'],
    });
    expect(allowed.status).toBe(200);
    const refused = await admin.post('/api/v1/assistants', {
      name: 'X',
      model: 'claude-sonnet-4-5',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('ASSISTANT_MODEL_NOT_ALLOWED');
    const taken = await admin.post('/api/v1/assistants', { name: 'Y', slug: 'bizbot' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('ASSISTANT_SLUG_TAKEN');
    const modelSlug = await admin.post('/api/v1/assistants', { name: 'Z', slug: 'gpt-4o' });
    expect(modelSlug.status).toBe(400);
    expect(modelSlug.body.code).toBe('VALIDATION_FAILED');
    const [byDefault] = (await admin.get('/api/v1/assistants')).body.items;
    const deleteDefault = await admin.delete(`/api/v1/assistants/${byDefault.id}`);
    expect(deleteDefault.status).toBe(409);
    expect(deleteDefault.body.code).toBe('ASSISTANT_IS_DEFAULT');
    for (const role of ['agent', 'user', 'readonly'] as const) {
      expect((await acme.as[role].get('/api/v1/assistants')).status).toBe(403);
      expect((await acme.as[role].post('/api/v1/assistants', { name: 'Mine' })).status).toBe(403);
    }
  });

  it("keeps a tenant's assistants from every other tenant, by any route", async () => {
    const id = seeded.MarketBot.id as string;
    const b = other.as.tenant_admin;
    expect((await b.get(`/api/v1/assistants/${id}`)).status).toBe(404);
    expect((await b.put(`/api/v1/assistants/${id}`, { name: 'Mine' })).status).toBe(404);
    expect((await b.delete(`/api/v1/assistants/${id}`)).status).toBe(404);
    const listed = await b.get('/api/v1/assistants');
    expect(listed.body.items.map((item: Json) => item.id)).not.toContain(id);
    expect(listed.body.total).toBe(1);
    const usable = await other.as.user.get('/api/v1/chat/assistants');
    expect(usable.body.items.map((item: Json) => item.id)).not.toContain(id);
    const chat = await other.as.user.post('/api/v1/chat/', { message: 'Hi', assistant_id: id });
    expect(chat.status).toBe(404);
    expect(chat.body.code).toBe('ASSISTANT_NOT_FOUND');
    const frames = await socketExchange(other.as.user.token ?? '', [
      { type: 'message', content: 'Hi', assistant_id: id },
    ]);
    expect(frames.find((frame) => frame.type === 'error')).toMatchObject({
      code: 'ASSISTANT_NOT_FOUND',
    });
    // Nor A's documents, by tag: B's search and retagging find nothing of A's.
    const search = await other.as.user.post('/api/v1/rag/search', {
      query: PREMIUM_QUESTION,
      tags: ['pricing'],
    });
    expect(search.status).toBe(200);
    expect(search.body.results).toEqual([]);
    const retag = await b.call('PATCH', `/api/v1/rag/documents/${pricingId}`, { tags: ['mine'] });
    expect(retag.status).toBe(404);
    expect((await b.get('/api/v1/rag/documents?tag=pricing')).body.total).toBe(0);
    // B's attempts changed nothing of A's.
    expect((await acme.as.tenant_admin.get(`/api/v1/assistants/${id}`)).body.name).toBe(
      'MarketBot',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("answers widget visitors with the widget's assistant, and never with a non-widget one", async () => {
    const helper = await acme.as.tenant_admin.post('/api/v1/assistants', {
      name: 'WidgetHelper',
      system_prompt: 'You are the shop helper.',
      widgets_allowed: true,
    });
    const open = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Open',
      allowed_origins: [SITE],
    });
    const pinned = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Pinned',
      allowed_origins: [SITE],
      assistant_id: helper.body.id,
    });
    const visitorOf = async (key: string) => {
      const session = await new ApiClient(stack.baseUrl)
        .withHeaders({ Origin: SITE })
        .post('/api/v1/widget/sessions', { key });
      expect(session.status).toBe(201);
      return new ApiClient(stack.baseUrl, session.body.token).withHeaders({ Origin: SITE });
    };
    const openVisitor = await visitorOf(open.body.public_key);
    const refused = await openVisitor.post('/api/v1/chat/', {
      message: 'Hi',
      assistant_id: seeded.MarketBot.id,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ASSISTANT_FORBIDDEN');
    const listed = await openVisitor.get('/api/v1/chat/assistants');
    expect(listed.body.items.map((item: Json) => item.name).sort()).toEqual([
      'Assistant',
      'WidgetHelper',
    ]);

    const pinnedVisitor = await visitorOf(pinned.body.public_key);
    const answered = await pinnedVisitor.post('/api/v1/chat/', {
      message: 'Hi',
      use_rag: false,
      assistant_id: seeded.MarketBot.id,
    });
    expect(answered.status).toBe(200);
    expect(answered.body.assistant_id).toBe(helper.body.id);
    expect(fake.requests[0].system).toContain('You are the shop helper.');
    const overSocket = await socketExchange(
      pinnedVisitor.token ?? '',
      [{ type: 'message', content: 'Hi', assistant_id: seeded.MarketBot.id }],
      SITE,
    );
    expect(overSocket.find((frame) => frame.type === 'done')).toMatchObject({
      assistant_id: helper.body.id,
    });
    const pinnedList = await pinnedVisitor.get('/api/v1/chat/assistants');
    expect(pinnedList.body.items.map((item: Json) => item.id)).toEqual([helper.body.id]);

    // The visitor cannot manage assistants.
    expect((await pinnedVisitor.get('/api/v1/assistants')).status).toBe(403);

    // A widget names only an assistant of its tenant that allows widgets.
    for (const assistantId of [seeded.MarketBot.id, '00000000-0000-4000-8000-000000000000']) {
      const refused = await acme.as.tenant_admin.post('/api/v1/widgets', {
        name: 'Bad',
        allowed_origins: [SITE],
        assistant_id: assistantId,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toEqual([expect.objectContaining({ field: 'assistant_id' })]);
    }
    const otherTenants = await other.as.tenant_admin.put(`/api/v1/widgets/${open.body.id}`, {
      assistant_id: helper.body.id,
    });
    expect(otherTenants.status).toBe(400);
  });

  /** Sends each message on a fresh socket in turn, collecting every frame until its answer. */
  async function socketExchange(
    token: string,
    messages: object[],
    origin?: string,
  ): Promise<Json[]> {
    const socket = new WebSocket(
      `${stack.baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=${token}`,
      origin ? { origin } : {},
    );
    const frames: Json[] = [];
    await new Promise<void>((resolve, reject) =>
      socket.once('open', resolve).once('error', reject),
    );
    for (const message of messages) {
      await new Promise<void>((resolve) => {
        const onFrame = (data: unknown) => {
          const frame = JSON.parse(String(data)) as Json;
          frames.push(frame);
          if (frame.type === 'done' || frame.type === 'error') {
            socket.off('message', onFrame);
            resolve();
          }
        };
        socket.on('message', onFrame);
        socket.send(JSON.stringify(message));
      });
    }
    socket.close();
    return frames;
  }
});
