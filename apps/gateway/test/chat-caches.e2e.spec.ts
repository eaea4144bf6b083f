import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  FakeLlmServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

/** Enough exchanges that both chat replicas serve some (they share one consumer group). */
const EXCHANGES = 12;

/**
 * The chat replicas cache the assistants an exchange chooses from and the handoff policy
 * (ADR 0041). A change made through one replica must reach the exchanges every replica answers
 * next, at once: the replica that committed it forgets its entries, the others hear the
 * change's broadcast.
 */
describe('assistant and handoff policy changes reach every chat replica at once (e2e, two chat replicas)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let acme: TenantFixture;
  let globex: TenantFixture;

  const systemPromptsOfNextExchanges = async (tenant: TenantFixture, body: object = {}) => {
    fake.reset();
    fake.respond('openai', { text: 'Hello.' });
    for (let i = 0; i < EXCHANGES; i++) {
      const answer = await tenant.as.user.post('/api/v1/chat/', {
        message: `Hello number ${i}`,
        use_rag: false,
        ...body,
      });
      expect(answer.status).toBe(200);
    }
    return fake.requests.map((request) => request.system);
  };

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      env: {
        OPENAI_BASE_URL: `${fake.url}/v1`,
        CHAT_FALLBACK_CHAIN: 'openai,local',
        // Long enough that only an eviction, not expiry, can explain a fresh answer.
        ACCESS_CACHE_TTL_MS: '120000',
      },
      readyTimeoutMs: 90_000,
    });
    await stack.addReplica('chat', 'chat-2');
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, globex] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'globex'),
    ]);
    for (const tenant of [acme, globex]) {
      const configured = await superAdmin.put(`/api/v1/tenants/${tenant.id}`, {
        provider_keys: { openai: 'sk-test' },
        default_model: 'gpt-4o-mini',
      });
      expect(configured.status).toBe(200);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it("answers with the default assistant's new prompt on every replica right after it changed", async () => {
    const listed = await acme.as.tenant_admin.get('/api/v1/assistants');
    const byDefault = (listed.body.items as { id: string; is_default: boolean }[]).find(
      (assistant) => assistant.is_default,
    );
    expect(byDefault).toBeDefined();
    // Both replicas cache the default with its first prompt.
    await acme.as.tenant_admin.put(`/api/v1/assistants/${byDefault?.id}`, {
      system_prompt: 'You are the first Acme bot.',
    });
    const before = await systemPromptsOfNextExchanges(acme);
    expect(before.every((system) => system.startsWith('You are the first Acme bot.'))).toBe(true);

    const changed = await acme.as.tenant_admin.put(`/api/v1/assistants/${byDefault?.id}`, {
      system_prompt: 'You are the second Acme bot.',
    });
    expect(changed.status).toBe(200);
    const after = await systemPromptsOfNextExchanges(acme);
    expect(after).toHaveLength(EXCHANGES);
    expect(after.every((system) => system.startsWith('You are the second Acme bot.'))).toBe(true);
  });

  it('forgets a deleted assistant and a moved default on every replica', async () => {
    const created = await acme.as.tenant_admin.post('/api/v1/assistants', {
      name: 'Returns bot',
      system_prompt: 'You are the returns bot.',
      roles: ['user'],
    });
    expect(created.status).toBe(201);
    const named = await systemPromptsOfNextExchanges(acme, { assistant_id: created.body.id });
    expect(named.every((system) => system.startsWith('You are the returns bot.'))).toBe(true);

    const moved = await acme.as.tenant_admin.put(`/api/v1/assistants/${created.body.id}`, {
      is_default: true,
    });
    expect(moved.status).toBe(200);
    const byDefault = await systemPromptsOfNextExchanges(acme);
    expect(byDefault.every((system) => system.startsWith('You are the returns bot.'))).toBe(true);

    // Made the default elsewhere first, then deleted: no replica answers with it any more.
    const listed = await acme.as.tenant_admin.get('/api/v1/assistants');
    const other = (listed.body.items as { id: string; is_default: boolean }[]).find(
      (assistant) => !assistant.is_default,
    );
    await acme.as.tenant_admin.put(`/api/v1/assistants/${other?.id}`, { is_default: true });
    const deleted = await acme.as.tenant_admin.delete(`/api/v1/assistants/${created.body.id}`);
    expect(deleted.status).toBe(204);
    for (let i = 0; i < EXCHANGES; i++) {
      const refused = await acme.as.user.post('/api/v1/chat/', {
        message: 'Hello',
        use_rag: false,
        assistant_id: created.body.id,
      });
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('ASSISTANT_NOT_FOUND');
    }
  });

  it('hands over on a phrase added to the policy, on every replica, from the next message', async () => {
    const phrase = 'put me through to billing';
    const ask = async () => {
      const handled: string[] = [];
      for (let i = 0; i < EXCHANGES; i++) {
        const answer = await globex.as.user.post('/api/v1/chat/', {
          message: `Please ${phrase} now (${i})`,
          use_rag: false,
        });
        expect(answer.status).toBe(200);
        handled.push(answer.body.handled_by as string);
      }
      return handled;
    };
    fake.reset();
    fake.respond('openai', { text: 'Hello.' });
    // Both replicas cache the policy without the phrase: the bot answers.
    expect(new Set(await ask())).toEqual(new Set(['bot']));

    const saved = await globex.as.tenant_admin.put('/api/v1/inbox/settings', {
      phrases: [phrase],
    });
    expect(saved.status).toBe(200);
    expect(new Set(await ask())).toEqual(new Set(['human']));
    // Acme's policy is its own.
    const acmeAnswer = await acme.as.user.post('/api/v1/chat/', {
      message: `Please ${phrase} now`,
      use_rag: false,
    });
    expect(acmeAnswer.body.handled_by).toBe('bot');
  });

  it("never answers one tenant with another's cached assistant", async () => {
    const listed = await globex.as.tenant_admin.get('/api/v1/assistants');
    const byDefault = (listed.body.items as { id: string; is_default: boolean }[]).find(
      (assistant) => assistant.is_default,
    );
    await globex.as.tenant_admin.put(`/api/v1/assistants/${byDefault?.id}`, {
      system_prompt: 'You are the Globex bot.',
    });
    const [acmePrompts, globexPrompts] = [
      await systemPromptsOfNextExchanges(acme),
      await systemPromptsOfNextExchanges(globex),
    ];
    expect(acmePrompts.some((system) => system.includes('Globex'))).toBe(false);
    expect(globexPrompts.every((system) => system.startsWith('You are the Globex bot.'))).toBe(
      true,
    );
    // Acme's cached assistant cannot be named by Globex.
    const acmeAssistants = await acme.as.tenant_admin.get('/api/v1/assistants');
    const acmeDefault = (acmeAssistants.body.items as { id: string }[])[0];
    const refused = await globex.as.user.post('/api/v1/chat/', {
      message: 'Hello',
      use_rag: false,
      assistant_id: acmeDefault.id,
    });
    expect(refused.status).toBe(404);
  });
});
