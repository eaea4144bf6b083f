import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const HANDBOOK = `# Returns

Customers may return a parcel within 30 days of delivery for a full refund.

# Shipping

Express shipping to the islands costs 12 euros and takes two working days.

# Options

--keep-receipt
Keeps the paper receipt with the parcel; the courier scans it at the depot.`;

const ISLAND_FACTS = `# Island ferries

The ferry to the northern islands leaves at seven every morning from pier four.`;

/** User text that once reached the full-text parser as syntax (issue #13, finding 8). */
const HOSTILE_QUERIES: [name: string, text: string][] = [
  ['33 dashes', '-'.repeat(33)],
  ['1,000 dashes around a word', `${'-'.repeat(500)} parcel ${'-'.repeat(500)}`],
  ['a run of operators', `!!&&||(())<-><->:*'"\\ ${'!'.repeat(200)} ${'<->'.repeat(100)} & | !`],
  ['unbalanced quotes and or/not words', '"return OR -parcel "" or or - "- -" AND NOT'],
];

describe('retrieval over HTTP: relevance, hostile queries, evaluations (e2e)', () => {
  let stack: TestStack;
  let a: TenantFixture;
  let b: TenantFixture;
  let handbookId: string;
  let ferriesId: string;

  async function ingest(client: ApiClient, title: string, text: string): Promise<string> {
    const created = await client.post('/api/v1/rag/documents', { title, text });
    expect(created.status).toBe(202);
    for (let attempt = 0; attempt < 300; attempt++) {
      const document = await client.get(`/api/v1/rag/documents/${created.body.id}`);
      if (document.body.status === 'completed') {
        return String(created.body.id);
      }
      if (document.body.status === 'failed') {
        throw new Error(JSON.stringify(document.body));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${title} was not ingested`);
  }

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['tenants', 'rag', 'chat'] });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [a, b] = await Promise.all([
      createTenantWithUsers(superAdmin, 'retrieval-a'),
      createTenantWithUsers(superAdmin, 'retrieval-b'),
    ]);
    handbookId = await ingest(a.as.tenant_admin, 'Handbook', HANDBOOK);
    ferriesId = await ingest(b.as.tenant_admin, 'Ferries', ISLAND_FACTS);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('gives each result its citation and a relevance, and says when nothing is relevant', async () => {
    const found = await a.as.user.post('/api/v1/rag/search', {
      query: 'How many days do I have to return a parcel?',
    });
    expect(found.status).toBe(200);
    expect(found.body.no_relevant_context).toBe(false);
    expect(found.body.results[0]).toMatchObject({
      document_id: handbookId,
      filename: 'Handbook',
      heading_path: ['Returns'],
      text: expect.stringMatching(/within 30 days/),
      relevance: expect.any(Number),
    });
    expect(found.body.results[0].relevance).toBeGreaterThan(0.5);

    const unrelated = await a.as.user.post('/api/v1/rag/search', {
      query: 'Which telescope mirror coating suits astrophotography?',
    });
    expect(unrelated.status).toBe(200);
    expect(unrelated.body.no_relevant_context).toBe(true);
    for (const result of unrelated.body.results) {
      expect(result.relevance).toBeLessThan(0.5);
    }
  });

  it('lets the chat answer without sources when the search finds nothing relevant', async () => {
    const unrelated = await a.as.user.post('/api/v1/chat/', {
      message: 'Which telescope mirror coating suits astrophotography?',
      model: 'local-extractive',
    });
    expect(unrelated.status).toBe(200);
    expect(unrelated.body.sources).toEqual([]);

    const related = await a.as.user.post('/api/v1/chat/', {
      message: 'How many days do I have to return a parcel?',
      model: 'local-extractive',
    });
    expect(related.status).toBe(200);
    expect(related.body.sources[0]).toMatchObject({
      document_id: handbookId,
      text: expect.stringMatching(/within 30 days/),
    });
  });

  it('ranks an option name kept whole with its definition', async () => {
    const found = await a.as.user.post('/api/v1/rag/search', {
      query: 'what does --keep-receipt do',
      top_k: 1,
    });
    expect(found.status).toBe(200);
    expect(found.body.results[0].text).toMatch(/--keep-receipt\s+Keeps the paper receipt/);
  });

  it.each(HOSTILE_QUERIES)('searches with %s as plain words, never a 500', async (_name, query) => {
    const response = await a.as.user.post('/api/v1/rag/search', { query });
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body.results)).toBe(true);
    expect(typeof response.body.no_relevant_context).toBe('boolean');
    for (const result of response.body.results) {
      expect(result.document_id).toBe(handbookId);
    }
  });

  it('refuses a 100,000-character search query (VALIDATION_FAILED) or a NUL-bearing one (INVALID_REQUEST)', async () => {
    for (const [query, code] of [
      ['parcel '.repeat(15_000), 'VALIDATION_FAILED'],
      ['parcel\u0000return', 'INVALID_REQUEST'],
    ]) {
      const response = await a.as.user.post('/api/v1/rag/search', { query });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe(code);
    }
  });

  it.each([...HOSTILE_QUERIES] as [string, string][])(
    'answers a chat message of %s, never a 500',
    async (_name, message) => {
      const response = await a.as.user.post('/api/v1/chat/', {
        message,
        model: 'local-extractive',
      });
      expect(response.status).toBe(200);
      expect(typeof response.body.response).toBe('string');
    },
  );

  it('refuses a chat message with a NUL byte with 400 INVALID_REQUEST', async () => {
    const response = await a.as.user.post('/api/v1/chat/', {
      message: 'How many days\u0000 to return a parcel?',
      model: 'local-extractive',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_REQUEST');
  });

  it('refuses a 100,000-character chat message with a 4xx code, never a 500', async () => {
    const response = await a.as.user.post('/api/v1/chat/', {
      message: 'parcel '.repeat(15_000),
      model: 'local-extractive',
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(typeof response.body.code).toBe('string');
  });

  it('evaluates a tenant’s own questions: hit@1, hit@k, MRR and the misses', async () => {
    const response = await a.as.tenant_admin.post('/api/v1/rag/evaluations', {
      questions: [
        { question: 'How long do I have to return a parcel?', expected_document_id: handbookId },
        {
          question: 'What does express shipping to the islands cost?',
          answer_pattern: 'costs  12 EUROS',
        },
        { question: 'When does the ferry leave?', answer_pattern: 'leaves at seven' },
      ],
      top_k: 3,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ questions: 3, top_k: 3, misses: [2] });
    expect(response.body.outcomes[0]).toMatchObject({ hit_rank: 1 });
    expect(response.body.outcomes[1].hit_rank).not.toBeNull();
    expect(response.body.outcomes[2]).toMatchObject({ hit_rank: null });
    expect(response.body.hit_at_k).toBeCloseTo(2 / 3, 10);
  });

  it('never lets tenant B’s evaluation find, or name, tenant A’s documents', async () => {
    const response = await b.as.tenant_admin.post('/api/v1/rag/evaluations', {
      questions: [
        { question: 'How long do I have to return a parcel?', expected_document_id: handbookId },
        { question: 'return a parcel within 30 days refund', answer_pattern: 'within 30 days' },
        { question: 'When does the ferry leave?', expected_document_id: ferriesId },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.misses).toEqual([0, 1]);
    expect(response.body.outcomes[2].hit_rank).toBe(1);
    expect(JSON.stringify(response.body)).not.toContain(handbookId);
    expect(JSON.stringify(response.body)).not.toContain('Handbook');
  });

  it('refuses bad evaluations with 400 and keeps them to curators', async () => {
    const cases: unknown[] = [
      { questions: [] },
      { questions: [{ question: 'no expectation given' }] },
      { questions: [{ question: 'x', expected_document_id: 'not-a-uuid' }] },
      {
        questions: Array.from({ length: 51 }, () => ({
          question: 'too many',
          answer_pattern: 'x',
        })),
      },
    ];
    for (const body of cases) {
      const response = await a.as.tenant_admin.post('/api/v1/rag/evaluations', body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const withNul = await a.as.tenant_admin.post('/api/v1/rag/evaluations', {
      questions: [{ question: 'a\u0000b', answer_pattern: 'b' }],
    });
    expect(withNul.status).toBe(400);
    expect(withNul.body.code).toBe('INVALID_REQUEST');
    const asUser = await a.as.user.post('/api/v1/rag/evaluations', {
      questions: [{ question: 'parcel', answer_pattern: 'parcel' }],
    });
    expect(asUser.status).toBe(403);
  });
});
