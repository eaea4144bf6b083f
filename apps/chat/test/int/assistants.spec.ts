import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import {
  type AssistantCreate,
  assistantCreateSchema,
  type Caller,
  type ChatSource,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';
import { FakeLlmServer } from '@tenantbot/testing';

import { AssistantModule } from '../../src/assistant/assistant.module';
import { AssistantService } from '../../src/assistant/assistant.service';
import { ChatModule } from '../../src/chat/chat.module';
import { ChatService } from '../../src/chat/chat.service';
import { ChatIntApp } from './chat-int-app';

const OPENAI = { provider_keys: { openai: 'sk-test' }, allowed_models: ['gpt-4o-mini', 'gpt-4o'] };
const PAGE = { limit: 50, offset: 0 };
const PASSAGE: ChatSource = {
  document_id: randomUUID(),
  filename: 'pricing.md',
  page: null,
  chunk_index: 0,
  score: 0.9,
  text: 'The premium plan costs 99 euros a month.',
};

function assistant(fields: Partial<AssistantCreate> & { name: string }): AssistantCreate {
  return assistantCreateSchema.parse(fields);
}

describe('assistants (in process, real PostgreSQL and Redis, real SDK against a fake provider)', () => {
  let fake: FakeLlmServer;
  let app: ChatIntApp;
  let assistants: AssistantService;
  let chat: ChatService;

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    app = await ChatIntApp.start({
      features: [AssistantModule, ChatModule],
      env: { OPENAI_BASE_URL: `${fake.url}/v1`, CHAT_FALLBACK_CHAIN: 'openai,local' },
    });
    assistants = app.get(AssistantService);
    chat = app.get(ChatService);
  });

  beforeEach(() => {
    fake.reset();
    app.passages = [];
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  async function tenantWithAdmin(
    settings: Partial<TenantRuntimeConfig> = OPENAI,
  ): Promise<{ tenant: TenantRuntimeConfig; admin: Caller }> {
    const tenant = await app.createTenant(settings);
    return { tenant, admin: app.caller(tenant, 'tenant_admin') };
  }

  it("gives a new tenant one default assistant that follows the tenant's system prompt", async () => {
    const { tenant, admin } = await tenantWithAdmin({ ...OPENAI, system_prompt: 'You are Acme.' });
    const listed = await assistants.list(admin, PAGE);
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toMatchObject({
      slug: 'assistant',
      is_default: true,
      system_prompt: null,
      widgets_allowed: true,
      knowledge: {},
    });

    fake.respond('openai', { text: 'Hello.' });
    const first = await chat.send(app.caller(tenant, 'user'), { message: 'Hi', use_rag: false });
    expect(first.assistant_id).toBe(listed.items[0].id);
    expect(fake.requests[0].system).toContain('You are Acme.');

    // The tenant changes its prompt: the default that never had its own follows.
    Object.assign(tenant, { system_prompt: 'You are Acme, now friendlier.' });
    fake.respond('openai', { text: 'Hello again.' });
    await chat.send(app.caller(tenant, 'user'), { message: 'Hi', use_rag: false });
    expect(fake.requests[1].system).toContain('You are Acme, now friendlier.');
  });

  it("answers with the named assistant's prompt, model and temperature, and names it", async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const bizBot = await assistants.create(
      admin,
      assistant({
        name: 'BizBot',
        system_prompt: 'You are BizBot, for business operations.',
        model: 'gpt-4o',
        temperature: 0.3,
      }),
    );
    fake.respond('openai', { text: 'Revenue is up.' });
    const reply = await chat.send(app.caller(tenant, 'user'), {
      message: 'How is revenue?',
      use_rag: false,
      assistant_id: bizBot.id,
    });
    expect(reply).toMatchObject({ assistant_id: bizBot.id, model_used: 'gpt-4o' });
    expect(fake.requests[0]).toMatchObject({ model: 'gpt-4o' });
    expect(fake.requests[0].system).toContain('You are BizBot');
    expect(fake.requests[0].body.temperature).toBe(0.3);

    // The conversation keeps its assistant when the next message names none.
    fake.respond('openai', { text: 'Still up.' });
    const next = await chat.send(app.caller(tenant, 'tenant_admin'), {
      message: 'And now?',
      use_rag: false,
      conversation_id: reply.conversation_id,
    });
    expect(next.assistant_id).toBe(bizBot.id);
  });

  it('refuses a model the tenant does not allow with 400 ASSISTANT_MODEL_NOT_ALLOWED', async () => {
    const { admin } = await tenantWithAdmin({ ...OPENAI, allowed_models: ['gpt-4o-mini'] });
    await expect(
      assistants.create(admin, assistant({ name: 'Pricey', model: 'gpt-4o' })),
    ).rejects.toMatchObject({ code: 'ASSISTANT_MODEL_NOT_ALLOWED', status: 400 });
    await expect(
      assistants.create(admin, assistant({ name: 'Unknown', model: 'gpt-99' })),
    ).rejects.toMatchObject({ code: 'ASSISTANT_MODEL_NOT_ALLOWED' });
    expect((await assistants.list(admin, PAGE)).total).toBe(1);
  });

  it('derives free slugs from names and refuses a taken one', async () => {
    const { admin } = await tenantWithAdmin();
    const first = await assistants.create(admin, assistant({ name: 'Märkët Bot!' }));
    const second = await assistants.create(admin, assistant({ name: 'Market bot' }));
    expect([first.slug, second.slug]).toEqual(['market-bot', 'market-bot-2']);
    await expect(
      assistants.create(admin, assistant({ name: 'Other', slug: 'market-bot' })),
    ).rejects.toMatchObject({ code: 'ASSISTANT_SLUG_TAKEN', status: 409 });
    await expect(assistants.update(admin, second.id, { slug: 'market-bot' })).rejects.toMatchObject(
      { code: 'ASSISTANT_SLUG_TAKEN' },
    );
  });

  it('moves the default atomically, and never deletes or unsets it', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const [original] = (await assistants.list(admin, PAGE)).items;
    const infoBot = await assistants.create(admin, assistant({ name: 'InfoBot' }));
    const moved = await assistants.update(admin, infoBot.id, { is_default: true });
    expect(moved.is_default).toBe(true);
    expect((await assistants.get(admin, original.id)).is_default).toBe(false);

    await expect(assistants.delete(admin, infoBot.id)).rejects.toMatchObject({
      code: 'ASSISTANT_IS_DEFAULT',
      status: 409,
    });
    await expect(assistants.update(admin, infoBot.id, { is_default: false })).rejects.toMatchObject(
      { code: 'ASSISTANT_IS_DEFAULT' },
    );
    await assistants.delete(admin, original.id);

    // Five concurrent moves leave exactly one default.
    const bots = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        assistants.create(admin, assistant({ name: `Bot ${n}` })),
      ),
    );
    await Promise.all(bots.map((bot) => assistants.update(admin, bot.id, { is_default: true })));
    const { rows } = await app.owner.query(
      'SELECT count(*)::int AS defaults FROM assistants WHERE tenant_id = $1 AND is_default',
      [tenant.id],
    );
    expect(rows[0].defaults).toBe(1);
  });

  it('lets a caller use only the assistants of its role, and visitors only widget ones', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const adminsOnly = await assistants.create(
      admin,
      assistant({ name: 'BizBot', roles: ['tenant_admin'], widgets_allowed: false }),
    );
    const forWidgets = await assistants.create(
      admin,
      assistant({ name: 'Helper', roles: ['user'], widgets_allowed: true }),
    );
    const user = app.caller(tenant, 'user');
    const visitor: Caller = {
      requestId: randomUUID(),
      tenantId: user.tenantId,
      role: 'visitor',
      visitor: { visitorId: `v_${'a'.repeat(22)}`, widgetId: randomUUID() },
    };

    const usableByUser = (await assistants.usable(user, PAGE)).items.map((a) => a.name);
    expect(usableByUser).toEqual(['Assistant', 'Helper']);
    const usableByVisitor = (await assistants.usable(visitor, PAGE)).items.map((a) => a.name);
    expect(usableByVisitor).toEqual(['Assistant', 'Helper']);
    expect((await assistants.usable(user, PAGE)).items[0]).not.toHaveProperty('system_prompt');

    await expect(
      chat.send(user, { message: 'Hi', use_rag: false, assistant_id: adminsOnly.id }),
    ).rejects.toMatchObject({ code: 'ASSISTANT_FORBIDDEN', status: 403 });
    await expect(
      chat.send(visitor, { message: 'Hi', use_rag: false, assistant_id: adminsOnly.id }),
    ).rejects.toMatchObject({ code: 'ASSISTANT_FORBIDDEN' });
    expect(fake.requests).toHaveLength(0);

    fake.respond('openai', { text: 'Hello.' });
    const reply = await chat.send(visitor, {
      message: 'Hi',
      use_rag: false,
      assistant_id: forWidgets.id,
    });
    expect(reply.assistant_id).toBe(forWidgets.id);
    await expect(assistants.list(user, PAGE)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("keeps each tenant's assistants its own", async () => {
    const a = await tenantWithAdmin();
    const b = await tenantWithAdmin();
    const secret = await assistants.create(
      a.admin,
      assistant({ name: 'Secret', system_prompt: 'The launch code is 1234.' }),
    );
    const notFound = { code: 'ASSISTANT_NOT_FOUND', status: 404 };
    await expect(assistants.get(b.admin, secret.id)).rejects.toMatchObject(notFound);
    await expect(assistants.update(b.admin, secret.id, { name: 'Mine' })).rejects.toMatchObject(
      notFound,
    );
    await expect(assistants.delete(b.admin, secret.id)).rejects.toMatchObject(notFound);
    await expect(
      chat.send(app.caller(b.tenant, 'user'), {
        message: 'Hi',
        use_rag: false,
        assistant_id: secret.id,
      }),
    ).rejects.toMatchObject(notFound);
    expect(fake.requests).toHaveLength(0);
    const bSees = await assistants.list(b.admin, PAGE);
    expect(bSees.items.map((item) => item.id)).not.toContain(secret.id);
    expect((await assistants.usable(app.caller(b.tenant, 'user'), PAGE)).total).toBe(1);
    expect((await assistants.get(a.admin, secret.id)).name).toBe('Secret');
  });

  it('keeps its knowledge scope (tags lower-cased) and answers from the passages found in it', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const scoped = await assistants.create(
      admin,
      assistant({ name: 'Pricing', knowledge: { tags: ['Pricing'] } }),
    );
    expect(scoped.knowledge).toEqual({ tags: ['pricing'] });
    app.passages = [PASSAGE];
    fake.respond('openai', { text: '99 euros [1].' });
    const reply = await chat.send(app.caller(tenant, 'user'), {
      message: 'What does premium cost?',
      use_rag: true,
      assistant_id: scoped.id,
    });
    expect(reply.sources).toEqual([PASSAGE]);
  });
});
