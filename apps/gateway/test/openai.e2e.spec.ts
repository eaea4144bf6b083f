import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import OpenAI from 'openai';
import pg from 'pg';

import {
  ApiClient,
  createTenantWithUsers,
  FakeLlmServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const HANDBOOK =
  '# Returns policy\n\nCustomers may return any parcel within 30 days of delivery for a full refund.\n\n' +
  '# Shipping\n\nExpress shipping to the islands costs 12 euros and takes two days.';
const QUESTION = 'How many days do customers have to return a parcel?';

describe('OpenAI-compatible API: /v1/chat/completions and /v1/models (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let other: TenantFixture;
  let acmeKey: string;
  let otherKey: string;

  const sdk = (apiKey: string, defaultHeaders: Record<string, string> = {}) =>
    new OpenAI({ apiKey, baseURL: `${stack.baseUrl}/v1`, maxRetries: 0, defaultHeaders });

  async function createKey(tenant: TenantFixture): Promise<string> {
    const created = await tenant.as.tenant_admin.post<{ key: string }>('/api/v1/api-keys', {
      name: 'openai client',
      role: 'user',
    });
    expect(created.status).toBe(201);
    return created.body.key;
  }

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        ANTHROPIC_BASE_URL: fake.url,
        CHAT_FALLBACK_CHAIN: 'openai,local',
        // The operator maps seed 001's model name to the offline responder.
        MODEL_CATALOG_JSON: JSON.stringify({ aliases: { 'gpt-3.5-turbo': 'local-extractive' } }),
      },
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
    await superAdmin.put(`/api/v1/tenants/${acme.id}`, {
      provider_keys: { openai: 'sk-acme-test' },
    });
    [acmeKey, otherKey] = await Promise.all([createKey(acme), createKey(other)]);
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
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it('answers with the official SDK: the model, usage, and the sources in an extension field', async () => {
    fake.respond('openai', {
      text: 'Within 30 days of delivery.',
      usage: { input: 120, output: 7 },
    });
    const completion = await sdk(acmeKey).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi! How can I help?' },
        { role: 'user', content: QUESTION },
      ],
      temperature: 0.2,
      max_tokens: 200,
      user: 'customer-42',
    });

    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Within 30 days of delivery.' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion).toHaveProperty(
      'sources',
      expect.arrayContaining([expect.objectContaining({ filename: 'Handbook' })]),
    );
    // The earlier turns went to the model as history, the passage in the tenant's prompt.
    const sent = fake.requests.at(-1);
    expect(sent?.messages.map((m) => m.content)).toEqual([
      'Hello',
      'Hi! How can I help?',
      QUESTION,
    ]);
    expect(sent?.system).toMatch(/30 days/);
    expect(sent?.body).toMatchObject({ temperature: 0.2, max_tokens: 200 });
  });

  it('streams OpenAI chunks ending with [DONE], with the usage chunk when asked for', async () => {
    fake.respond('openai', {
      text: 'Thirty days.',
      chunks: ['Thirty', ' days', '.'],
      usage: { input: 50, output: 3 },
    });
    const stream = await sdk(acmeKey).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
    }
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Thirty days.');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason === 'stop');
    expect(finish).toHaveProperty('sources', expect.arrayContaining([expect.anything()]));
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 50, completion_tokens: 3, total_tokens: 53 },
    });

    const raw = await fetch(`${stack.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acmeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: QUESTION }],
        stream: true,
      }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await raw.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(body).not.toContain('"usage":{'); // no usage chunk unless asked for
  });

  it('works with LangChain’s ChatOpenAI, invoked and streamed', async () => {
    fake.respond('openai', { text: 'Express shipping costs 12 euros.' });
    const model = new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: acmeKey,
      maxRetries: 0,
      configuration: { baseURL: `${stack.baseUrl}/v1` },
    });
    const answer = await model.invoke([
      new SystemMessage('Answer in one sentence.'),
      new HumanMessage('How much is express shipping to the islands?'),
    ]);
    expect(answer.content).toBe('Express shipping costs 12 euros.');
    expect(answer.usage_metadata?.total_tokens).toBeGreaterThan(0);

    let streamed = '';
    for await (const chunk of await model.stream('How much is express shipping?')) {
      streamed += typeof chunk.content === 'string' ? chunk.content : '';
    }
    expect(streamed).toBe('Express shipping costs 12 euros.');
  });

  it('answers a model alias the operator mapped, and refuses allowed_models outside the catalog', async () => {
    const completion = await sdk(acmeKey).chat.completions.create({
      model: 'gpt-3.5-turbo',
      messages: [{ role: 'user', content: QUESTION }],
    });
    expect(completion.model).toBe('local-extractive');
    expect(completion.choices[0]?.message.content).toMatch(/30 days/);

    const refused = await superAdmin.put(`/api/v1/tenants/${other.id}`, {
      allowed_models: ['local'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'allowed_models' }],
    });
    const models = await superAdmin.as(superAdmin.token, acme.slug).get('/api/v1/chat/models');
    expect(models.body.models).toContainEqual(
      expect.objectContaining({ id: 'local-extractive', aliases: ['gpt-3.5-turbo'] }),
    );
  });

  it('embeds with the tenant’s embedding model, for the SDK (base64) and LangChain (float)', async () => {
    const embedded = await sdk(acmeKey).embeddings.create({
      model: 'text-embedding-3-small',
      input: ['refunds within 30 days', 'express shipping'],
    });
    expect(embedded.data).toHaveLength(2);
    expect(embedded.data[1]?.index).toBe(1);
    const dimensions = embedded.data[0]?.embedding.length ?? 0;
    expect(dimensions).toBeGreaterThan(0);
    expect(embedded.model).not.toBe('text-embedding-3-small'); // the tenant's model answers
    expect(embedded.usage.prompt_tokens).toBeGreaterThan(0);

    const langchain = new OpenAIEmbeddings({
      model: 'text-embedding-3-small',
      apiKey: acmeKey,
      maxRetries: 0,
      configuration: { baseURL: `${stack.baseUrl}/v1` },
    });
    const vector = await langchain.embedQuery('refunds within 30 days');
    expect(vector).toHaveLength(dimensions);
    // Same text, same vector, whichever encoding carried it (float32 precision).
    vector.forEach((value, index) =>
      expect(value).toBeCloseTo(embedded.data[0]?.embedding[index] ?? NaN, 5),
    );

    const tooMany = await fetch(`${stack.baseUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acmeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', input: Array.from({ length: 300 }, () => 'a') }),
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('lets `model` name an assistant by slug or id: its prompt and model answer, and it is listed', async () => {
    const created = await acme.as.tenant_admin.post<{ id: string; slug: string }>(
      '/api/v1/assistants',
      {
        name: 'InfoBot',
        slug: 'infobot',
        system_prompt: 'You are InfoBot. You answer general questions.',
        model: 'gpt-4o-mini',
      },
    );
    expect(created.status).toBe(201);
    for (const model of ['infobot', created.body.id]) {
      fake.respond('openai', { text: 'InfoBot here.', usage: { input: 10, output: 3 } });
      const completion = await sdk(acmeKey).chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Who are you?' }],
        use_rag: false,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(completion.choices[0].message.content).toBe('InfoBot here.');
      expect(completion.model).toBe('gpt-4o-mini');
      expect(fake.requests.at(-1)?.system).toContain('You are InfoBot.');
    }
    const listed = await sdk(acmeKey).models.list();
    expect(listed.data.map((entry) => entry.id)).toContain('infobot');
    // Another tenant's key cannot name it: for B it is no assistant and no model.
    await expect(
      sdk(otherKey).chat.completions.create({
        model: 'infobot',
        messages: [{ role: 'user', content: 'Who are you?' }],
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('finds an assistant past the first 200 the caller may use, and lists them all', async () => {
    // Written straight into the stack's database: 205 assistants made through the API would
    // take most of the test's time. The last one lists after the first page of 200.
    const owner = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query(`SELECT set_config('app.tenant_id', $1, true)`, [acme.id]);
      await owner.query(
        `INSERT INTO assistants (tenant_id, name, slug, roles, created_at)
         SELECT $1, 'Bulk ' || n, 'bulk-' || n, ARRAY['user'], now() + n * interval '1 ms'
           FROM generate_series(1, 205) AS n`,
        [acme.id],
      );
      await owner.query('COMMIT');
    } finally {
      await owner.end();
    }
    const listed = (await sdk(acmeKey).models.list()).data.map((entry) => entry.id);
    expect(listed).toEqual(expect.arrayContaining(['bulk-1', 'bulk-200', 'bulk-205']));
    fake.respond('openai', { text: 'Bulk here.', usage: { input: 5, output: 2 } });
    const completion = await sdk(acmeKey).chat.completions.create({
      model: 'bulk-205',
      messages: [{ role: 'user', content: 'Who are you?' }],
      use_rag: false,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    // The assistant answers (the tenant's default model), not a model called bulk-205.
    expect(completion.choices[0].message.content).toBe('Bulk here.');
    expect(completion.model).toBe('gpt-4o-mini');
  });

  it('lists the tenant’s models as OpenAI models', async () => {
    const models = await sdk(acmeKey).models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'local-extractive']));
    expect(models.data[0]).toMatchObject({ object: 'model', owned_by: expect.any(String) });
  });

  it('refuses a bad key with 401 in OpenAI’s error shape', async () => {
    const refused = sdk('tbk_nothere_' + 'A'.repeat(43)).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
    });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(refused).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      type: 'authentication_error',
    });
  });

  it('answers an unknown model with 400 model_not_found naming the allowed models', async () => {
    const refused = sdk(acmeKey).chat.completions.create({
      model: 'gpt-imaginary',
      messages: [{ role: 'user', content: QUESTION }],
    });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(refused).rejects.toMatchObject({
      status: 400,
      code: 'model_not_found',
      param: 'model',
      message: expect.stringContaining('local-extractive'),
    });
    // Streamed, the refusal comes before the stream starts: an HTTP error too.
    const streamed = sdk(acmeKey).chat.completions.create({
      model: 'gpt-imaginary',
      messages: [{ role: 'user', content: QUESTION }],
      stream: true,
    });
    await expect(streamed).rejects.toMatchObject({ status: 400, code: 'model_not_found' });
  });

  it('refuses a conversation whose last message is not the user’s, naming the param', async () => {
    const response = await fetch(`${stack.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acmeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'local-extractive',
        messages: [{ role: 'assistant', content: 'Hi' }],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        code: 'VALIDATION_FAILED',
        param: 'messages',
      },
    });
  });

  it('answers 429 rate_limit_exceeded once the tenant’s requests per minute are spent', async () => {
    const limited = await createTenantWithUsers(superAdmin, 'limited');
    const key = await createKey(limited);
    await superAdmin.put(`/api/v1/tenants/${limited.id}`, {
      rate_limits: { requests_per_minute: 2 },
    });
    const ask = () =>
      sdk(key).chat.completions.create({
        model: 'local-extractive',
        messages: [{ role: 'user', content: 'Hello?' }],
      });
    const outcomes = await Promise.allSettled([ask(), ask(), ask(), ask()]);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    const reason = (refused[0] as PromiseRejectedResult).reason as InstanceType<
      typeof OpenAI.RateLimitError
    >;
    expect(reason).toBeInstanceOf(OpenAI.RateLimitError);
    expect(reason).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(reason.headers?.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers 429 insufficient_quota when the tenant’s token budget cannot hold the request', async () => {
    const frugal = await createTenantWithUsers(superAdmin, 'frugal');
    const key = await createKey(frugal);
    await superAdmin.put(`/api/v1/tenants/${frugal.id}`, {
      provider_keys: { openai: 'sk-frugal' },
      rate_limits: { tokens_per_day: 10 },
    });
    const asked = fake.requests.length;
    const refused = sdk(key).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
    });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(refused).rejects.toMatchObject({
      status: 429,
      code: 'insufficient_quota',
      type: 'insufficient_quota',
    });
    expect(fake.requests.length).toBe(asked); // no provider was called
  });

  it('keeps tenants apart: B’s key never sees A’s sources, and cannot name A', async () => {
    const fromOther = await sdk(otherKey).chat.completions.create({
      model: 'local-extractive',
      messages: [{ role: 'user', content: QUESTION }],
    });
    expect(fromOther).toHaveProperty('sources', []);
    expect(fromOther.choices[0]?.message.content).not.toMatch(/30 days/);

    const naming = sdk(otherKey, { 'X-Tenant-ID': acme.id }).chat.completions.create({
      model: 'local-extractive',
      messages: [{ role: 'user', content: QUESTION }],
    });
    await expect(naming).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(naming).rejects.toMatchObject({ status: 403, code: 'TENANT_MISMATCH' });
    await expect(sdk(otherKey, { 'X-Tenant-ID': acme.slug }).models.list()).rejects.toMatchObject({
      status: 403,
    });

    // A's own key with A named explicitly, and with retrieval turned off by the extension.
    const own = await sdk(acmeKey, { 'X-Tenant-ID': acme.slug }).chat.completions.create({
      model: 'local-extractive',
      messages: [{ role: 'user', content: QUESTION }],
    });
    expect(own).toHaveProperty('sources', expect.arrayContaining([expect.anything()]));
    // tenantbot's extension field, unknown to the SDK's types, passed through as it is.
    const withoutRagBody = {
      model: 'local-extractive',
      messages: [{ role: 'user' as const, content: QUESTION }],
      use_rag: false,
    };
    const withoutRag = await sdk(acmeKey).chat.completions.create(withoutRagBody);
    expect(withoutRag).toHaveProperty('sources', []);
  });
});
