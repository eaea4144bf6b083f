import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  type Caller,
  type ExportedConversation,
  feedbackRequestSchema,
  tenantIdOf,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';

import { ExportModule } from '../../src/export/export.module';
import { ExportService } from '../../src/export/export.service';
import { FeedbackModule } from '../../src/feedback/feedback.module';
import { FeedbackService } from '../../src/feedback/feedback.service';
import { UsageModule } from '../../src/usage/usage.module';
import { UsageService } from '../../src/usage/usage.service';
import { ChatIntApp } from './chat-int-app';

interface Seeded {
  conversationId: string;
  question: string;
  answer: string;
}

describe('feedback and export (in process, real PostgreSQL and Redis)', () => {
  let app: ChatIntApp;
  let feedback: FeedbackService;
  let exports: ExportService;
  let acme: TenantRuntimeConfig;
  let globex: TenantRuntimeConfig;
  let alice: Caller;
  let bob: Caller;
  let acmeAdmin: Caller;
  let globexAdmin: Caller;
  let alices: Seeded;

  /** One question and its answer in a new conversation of the owner's, written by the owner role. */
  async function seed(
    tenantId: string,
    owner: { user_id?: string; visitor_id?: string; widget_id?: string },
    title: string,
  ): Promise<Seeded> {
    const conversationId = randomUUID();
    await app.owner.query(
      `INSERT INTO conversations (id, tenant_id, user_id, visitor_id, widget_id, title)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        conversationId,
        tenantId,
        owner.user_id ?? null,
        owner.visitor_id ?? null,
        owner.widget_id ?? null,
        title,
      ],
    );
    const { rows } = await app.owner.query<{ id: string; role: string }>(
      `INSERT INTO messages (tenant_id, conversation_id, role, content, sources, model)
       VALUES ($1, $2, 'user', $3, '[]', NULL),
              ($1, $2, 'assistant', 'Within 30 days, "unused", with a receipt', $4, 'gpt-4o-mini')
       RETURNING id, role`,
      [
        tenantId,
        conversationId,
        `${title}?`,
        JSON.stringify([
          {
            document_id: randomUUID(),
            filename: 'refunds.md',
            page: null,
            chunk_index: 0,
            score: 0.9,
            text: 'x',
          },
        ]),
      ],
    );
    const id = (role: string) => rows.find((row) => row.role === role)?.id ?? '';
    return { conversationId, question: id('user'), answer: id('assistant') };
  }

  const rate = (caller: Caller, messageId: string, rating: 'up' | 'down', comment?: string) =>
    feedback.rate(caller, feedbackRequestSchema.parse({ message_id: messageId, rating, comment }));

  async function exported(caller: Caller, query = {}): Promise<ExportedConversation[]> {
    const all: ExportedConversation[] = [];
    for await (const page of exports.conversations(caller, query)) {
      all.push(...page);
    }
    return all;
  }

  beforeAll(async () => {
    app = await ChatIntApp.start({ features: [FeedbackModule, ExportModule, UsageModule] });
    feedback = app.get(FeedbackService);
    exports = app.get(ExportService);
    [acme, globex] = await Promise.all([app.createTenant(), app.createTenant()]);
    alice = app.caller(acme, 'user');
    bob = app.caller(acme, 'user');
    acmeAdmin = app.caller(acme, 'tenant_admin');
    globexAdmin = app.caller(globex, 'tenant_admin');
    alices = await seed(acme.id, { user_id: alice.userId }, 'Refunds');
  });

  afterAll(() => app?.close());

  it('records the owner’s rating of an answer, a repeat replacing it, and announces it', async () => {
    const first = await rate(alice, alices.answer, 'down', 'too vague');
    expect(first).toMatchObject({
      message_id: alices.answer,
      conversation_id: alices.conversationId,
      rating: 'down',
      comment: 'too vague',
    });
    const second = await rate(alice, alices.answer, 'up');
    expect(second).toMatchObject({ rating: 'up', comment: null, created_at: first.created_at });
    const { rows } = await app.owner.query(
      `SELECT rating FROM message_feedback WHERE message_id = $1`,
      [alices.answer],
    );
    expect(rows).toEqual([{ rating: 'up' }]);
    const events = await app.owner.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM event_outbox WHERE pattern = 'message.feedback' ORDER BY id`,
    );
    // The outbox has no row-level security: no tenant text (the comment) goes there.
    expect(JSON.stringify(events.rows)).not.toContain('too vague');
    expect(events.rows.map((row) => row.payload)).toEqual([
      expect.objectContaining({
        tenantId: acme.id,
        message_id: alices.answer,
        rating: 'down',
        has_comment: true,
      }),
      expect.objectContaining({
        tenantId: acme.id,
        message_id: alices.answer,
        rating: 'up',
        has_comment: false,
      }),
    ]);
  });

  it('takes ratings of answers only', async () => {
    await expect(rate(alice, alices.question, 'up')).rejects.toMatchObject({
      code: 'MESSAGE_NOT_RATEABLE',
    });
  });

  it('lets no one else rate an answer: another user, an admin, another tenant, a visitor', async () => {
    const widgetId = randomUUID();
    const visitorX: Caller = {
      requestId: randomUUID(),
      tenantId: tenantIdOf(acme.id),
      role: 'user',
      visitor: { visitorId: 'visitor-x', widgetId },
    };
    const visitorY: Caller = { ...visitorX, visitor: { visitorId: 'visitor-y', widgetId } };
    const xs = await seed(acme.id, { visitor_id: 'visitor-x', widget_id: widgetId }, 'Shipping');
    for (const stranger of [bob, acmeAdmin, globexAdmin, visitorY]) {
      await expect(rate(stranger, alices.answer, 'down')).rejects.toMatchObject({
        code: 'MESSAGE_NOT_FOUND',
      });
      await expect(rate(stranger, xs.answer, 'down')).rejects.toMatchObject({
        code: 'MESSAGE_NOT_FOUND',
      });
    }
    expect(await rate(visitorX, xs.answer, 'down')).toMatchObject({ rating: 'down' });
    await expect(rate(alice, randomUUID(), 'up')).rejects.toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
    });
    const { rows } = await app.owner.query(
      `SELECT message_id, rating FROM message_feedback ORDER BY rating`,
    );
    expect(rows).toEqual([
      { message_id: xs.answer, rating: 'down' },
      { message_id: alices.answer, rating: 'up' },
    ]);
  });

  it('counts ratings in the tenant’s stats, and only its own', async () => {
    const usage = app.get(UsageService);
    expect((await usage.stats(acmeAdmin)).feedback).toEqual({ up: 1, down: 1 });
    expect((await usage.stats(globexAdmin)).feedback).toEqual({ up: 0, down: 0 });
  });

  it('exports the tenant’s conversations with messages, sources and feedback', async () => {
    const all = await exported(acmeAdmin);
    expect(all.map((c) => c.id)).toContain(alices.conversationId);
    const alicesExported = all.find((c) => c.id === alices.conversationId);
    expect(alicesExported).toMatchObject({ title: 'Refunds', user_id: alice.userId });
    expect(alicesExported?.messages.map((m) => [m.role, m.feedback])).toEqual([
      ['user', null],
      ['assistant', { rating: 'up', comment: null }],
    ]);
    expect(alicesExported?.messages[1].sources).toEqual([
      expect.objectContaining({ filename: 'refunds.md', chunk_index: 0 }),
    ]);
    // Globex's admin exports Globex: none of Acme's conversations.
    await seed(globex.id, { user_id: randomUUID() }, 'Globex only');
    const globexExport = await exported(globexAdmin);
    expect(globexExport.map((c) => c.title)).toEqual(['Globex only']);
  });

  it('pages through a long export in order, within the period, for admins only', async () => {
    for (let i = 0; i < 120; i++) {
      await app.owner.query(
        `INSERT INTO conversations (id, tenant_id, user_id, title, created_at)
         VALUES ($1, $2, $3, $4, '2026-01-10T00:00:00Z'::timestamptz + $5 * interval '1 minute')`,
        [randomUUID(), acme.id, bob.userId, `January ${i}`, i],
      );
    }
    const pages: number[] = [];
    for await (const page of exports.conversations(acmeAdmin, {
      from: '2026-01-01',
      to: '2026-02-01',
    })) {
      pages.push(page.length);
    }
    expect(pages).toEqual([100, 20]);
    const january = await exported(acmeAdmin, { from: '2026-01-10', to: '2026-01-10T00:05:00Z' });
    expect(january.map((c) => c.title)).toEqual([0, 1, 2, 3, 4].map((i) => `January ${i}`));
    await expect(exported(alice)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(exported(app.caller(acme, 'agent'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
