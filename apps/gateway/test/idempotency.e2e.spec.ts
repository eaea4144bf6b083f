import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';

import {
  ApiClient,
  createTenantWithUsers,
  FakeLlmServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

describe('Idempotency-Key on chat, OpenAI completions and documents (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let acme: TenantFixture;
  let other: TenantFixture;
  let acmeKey: string;

  const question = { message: 'What is the refund window?', model: 'gpt-4o-mini', use_rag: false };

  function post(
    client: ApiClient,
    path: string,
    body: unknown,
    key: string,
    extra: Record<string, string> = {},
  ) {
    return client.withHeaders({ 'Idempotency-Key': key, ...extra }).post(path, body);
  }

  async function conversationCount(client: ApiClient): Promise<number> {
    const page = await client.get<{ total: number }>('/api/v1/chat/conversations');
    return page.body.total;
  }

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        ANTHROPIC_BASE_URL: fake.url,
        CHAT_FALLBACK_CHAIN: 'openai,local',
      },
    });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
    await Promise.all(
      [acme, other].map((tenant) =>
        superAdmin.put(`/api/v1/tenants/${tenant.id}`, { provider_keys: { openai: 'sk-test' } }),
      ),
    );
    const created = await acme.as.tenant_admin.post<{ key: string }>('/api/v1/api-keys', {
      name: 'integration',
      role: 'user',
    });
    acmeKey = created.body.key;
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it('answers a repeated chat request with the first answer and stores nothing new', async () => {
    fake.reset();
    let answers = 0;
    fake.respond('openai', () => ({ text: `Answer number ${++answers}.` }));
    const key = randomUUID();
    const before = await conversationCount(acme.as.user);

    const first = await post(acme.as.user, '/api/v1/chat/', question, key);
    const again = await post(acme.as.user, '/api/v1/chat/', question, key);

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(fake.requests).toHaveLength(1);
    expect(await conversationCount(acme.as.user)).toBe(before + 1);
  });

  it('refuses the same key with another body: 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = randomUUID();
    expect((await post(acme.as.user, '/api/v1/chat/', question, key)).status).toBe(200);
    const reused = await post(
      acme.as.user,
      '/api/v1/chat/',
      { ...question, message: 'Something else?' },
      key,
    );
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('runs concurrent duplicates once: the second waits for the first and gets its answer', async () => {
    fake.reset();
    fake.respond('openai', { text: 'Slow but sure.', delayMs: 400 });
    const key = randomUUID();
    const before = await conversationCount(acme.as.user);

    const [one, two, three] = await Promise.all([
      post(acme.as.user, '/api/v1/chat/', question, key),
      post(acme.as.user, '/api/v1/chat/', question, key),
      post(acme.as.user, '/api/v1/chat/', question, key),
    ]);

    expect([one.status, two.status, three.status]).toEqual([200, 200, 200]);
    expect(two.body.conversation_id).toBe(one.body.conversation_id);
    expect(three.body.conversation_id).toBe(one.body.conversation_id);
    expect(fake.requests).toHaveLength(1);
    expect(await conversationCount(acme.as.user)).toBe(before + 1);
  });

  it('replays a streamed answer as a stream, once stored', async () => {
    fake.reset();
    fake.respond('openai', { text: 'Streamed once.', chunks: ['Streamed', ' once.'] });
    const key = randomUUID();
    const ask = () =>
      fetch(`${stack.baseUrl}/api/v1/chat/`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${acme.as.user.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ ...question, stream: true }),
      }).then((response) => response.text());

    const first = await ask();
    const again = await ask();

    const doneOf = (body: string) =>
      JSON.parse(/event: done\ndata: (.*)/.exec(body)?.[1] ?? '{}') as Record<string, unknown>;
    expect(doneOf(again)).toEqual(doneOf(first));
    expect(doneOf(first)).toMatchObject({ response: 'Streamed once.' });
    expect(fake.requests).toHaveLength(1);
  });

  it('scopes keys per caller and per tenant', async () => {
    fake.reset();
    fake.respond('openai', { text: 'Hello.' });
    const key = randomUUID();
    const mine = await post(acme.as.user, '/api/v1/chat/', question, key);
    const colleague = await post(acme.as.agent, '/api/v1/chat/', question, key);
    const elsewhere = await post(other.as.user, '/api/v1/chat/', question, key);

    expect(colleague.headers.get('idempotent-replayed')).toBeNull();
    expect(elsewhere.headers.get('idempotent-replayed')).toBeNull();
    expect(
      new Set([mine, colleague, elsewhere].map((r) => r.body.conversation_id as string)).size,
    ).toBe(3);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives /v1/chat/completions the same guarantee, for OpenAI clients', async () => {
    fake.reset();
    fake.respond('openai', { text: 'Once only.' });
    const client = new OpenAI({ apiKey: acmeKey, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0 });
    const key = randomUUID();
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi?' }] };

    const first = await client.chat.completions.create(body, {
      headers: { 'Idempotency-Key': key },
    });
    const again = await client.chat.completions.create(body, {
      headers: { 'Idempotency-Key': key },
    });
    expect(again.id).toBe(first.id);
    expect(again.choices[0]?.message.content).toBe('Once only.');
    expect(fake.requests).toHaveLength(1);

    const reused = client.chat.completions.create(
      { ...body, messages: [{ role: 'user', content: 'Other?' }] },
      { headers: { 'Idempotency-Key': key } },
    );
    await expect(reused).rejects.toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('creates a document once per key, for JSON and for uploaded files', async () => {
    const admin = acme.as.tenant_admin;
    const key = randomUUID();
    const text = { title: 'Idempotent', text: `Text ${randomUUID()}` };
    const first = await post(admin, '/api/v1/rag/documents', text, key);
    const again = await post(admin, '/api/v1/rag/documents', text, key);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);

    const upload = (content: string, uploadKey: string) => {
      const form = new FormData();
      form.append('file', new Blob([content], { type: 'text/plain' }), 'notes.txt');
      return fetch(`${stack.baseUrl}/api/v1/rag/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'idempotency-key': uploadKey },
        body: form,
      }).then(async (response) => ({
        status: response.status,
        replayed: response.headers.get('idempotent-replayed'),
        body: (await response.json()) as { id: string; code?: string },
      }));
    };
    const fileKey = randomUUID();
    const content = `Notes ${randomUUID()}`;
    const uploaded = await upload(content, fileKey);
    const uploadedAgain = await upload(content, fileKey);
    expect(uploaded.status).toBe(202);
    expect(uploadedAgain).toMatchObject({ status: 202, replayed: 'true' });
    expect(uploadedAgain.body.id).toBe(uploaded.body.id);
    const otherFile = await upload(`Other ${randomUUID()}`, fileKey);
    expect(otherFile).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });

    const listed = await admin.get<{ items: { id: string }[] }>('/api/v1/rag/documents?limit=100');
    const ids = listed.body.items.map((item) => item.id);
    expect(ids.filter((id) => id === first.body.id)).toHaveLength(1);
    expect(ids.filter((id) => id === uploaded.body.id)).toHaveLength(1);
    expect(ids).toEqual(expect.arrayContaining([first.body.id, uploaded.body.id]));
  });

  it('answers content the tenant already has with that document (duplicate_of), unless forced', async () => {
    const upload = (client: ApiClient, content: string, query = '') => {
      const form = new FormData();
      form.append('file', new Blob([content], { type: 'text/plain' }), 'same.txt');
      return fetch(`${stack.baseUrl}/api/v1/rag/documents${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.token}` },
        body: form,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { id: string; duplicate_of?: string; code?: string },
      }));
    };
    const content = `Duplicated ${randomUUID()}`;
    const first = await upload(acme.as.tenant_admin, content);
    const second = await upload(acme.as.tenant_admin, content);
    expect(first.status).toBe(202);
    expect(first.body.duplicate_of).toBeUndefined();
    expect(second).toMatchObject({
      status: 200,
      body: { id: first.body.id, duplicate_of: first.body.id },
    });
    const forced = await upload(acme.as.tenant_admin, content, '?force=true');
    expect(forced.status).toBe(202);
    expect(forced.body.id).not.toBe(first.body.id);
    // Another tenant with the same content learns nothing of acme's document.
    const elsewhere = await upload(other.as.tenant_admin, content);
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.body.duplicate_of).toBeUndefined();

    const text = { title: 'Pasted', text: `Pasted ${randomUUID()}` };
    const pasted = await acme.as.tenant_admin.post('/api/v1/rag/documents', text);
    const pastedAgain = await acme.as.tenant_admin.post('/api/v1/rag/documents', {
      ...text,
      title: 'Pasted again',
    });
    expect(pastedAgain.status).toBe(200);
    expect(pastedAgain.body).toMatchObject({ id: pasted.body.id, duplicate_of: pasted.body.id });
    expect(
      (await acme.as.tenant_admin.post('/api/v1/rag/documents?force=maybe', text)).status,
    ).toBe(400);
  });

  it('refuses a malformed key', async () => {
    const response = await post(acme.as.user, '/api/v1/chat/', question, 'x'.repeat(300));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
