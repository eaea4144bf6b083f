import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type DocumentView, RAG } from '@tenantbot/contracts';
import { sqlLiteral } from '@tenantbot/database';

import { bm25Ranking, queryTerms } from '../src/search/search.repository';
import { RagHarness } from './support/rag-harness';

/**
 * BM25's inverted index and term statistics (ADR 17): kept by the chunks'
 * triggers at ingestion and deletion, per tenant, behind the same row-level security.
 */
describe('the full-text term index', () => {
  let rag: RagHarness;
  let tenantA: string;
  let tenantB: string;
  let secret: DocumentView;

  const ingest = async (tenantId: string, title: string, text: string) => {
    const created = await rag.call(tenantId, RAG.DOCUMENTS_CREATE, { title, text });
    const settled = await rag.settled(tenantId, created.id);
    expect(settled.status).toBe('completed');
    return settled;
  };

  /** Rows of a table as the service's role sees them inside a tenant's transaction. */
  const asService = async (tenantId: string, sql: string) => {
    await rag.owner.query('BEGIN');
    try {
      await rag.owner.query('SET LOCAL ROLE tenantbot_app');
      await rag.owner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return (await rag.owner.query(sql)).rows;
    } finally {
      await rag.owner.query('ROLLBACK');
    }
  };

  const statistics = async (tenantId: string) => {
    const { rows } = await rag.owner.query<{ postings: number; chunks: number; df: number }>(
      `SELECT (SELECT count(*)::int FROM chunk_terms WHERE tenant_id = $1) AS postings,
              (SELECT coalesce(sum(chunks), 0)::int FROM chunk_corpus_counts WHERE tenant_id = $1) AS chunks,
              (SELECT coalesce(sum(df), 0)::int FROM chunk_term_counts
                WHERE tenant_id = $1 AND lexeme = 'nightingale') AS df`,
      [tenantId],
    );
    return rows[0];
  };

  beforeAll(async () => {
    rag = await RagHarness.start();
    [tenantA, tenantB] = [await rag.createTenant('A'), await rag.createTenant('B')];
    secret = await ingest(tenantA, 'Plans', 'Project Nightingale launches in March on a budget.');
    await ingest(tenantB, 'Shop', 'Tenant B sells bicycles.');
    await ingest(tenantB, 'Lights', 'Lights that fit any budget, and more lights.');
  });

  afterAll(async () => {
    await rag.stop();
  });

  it('holds a posting per chunk and word, and counts agreeing with the chunks', async () => {
    const { rows } = await rag.owner.query<{ chunks: number; words: number }>(
      `SELECT count(*)::int AS chunks,
              coalesce(sum((SELECT count(*) FROM unnest(tsv))), 0)::int AS words
         FROM chunks WHERE tenant_id = $1`,
      [tenantA],
    );
    const stats = await statistics(tenantA);
    expect(stats.chunks).toBe(rows[0].chunks);
    expect(stats.postings).toBe(rows[0].words);
    expect(stats.df).toBe(1);
  });

  it("shows the service's role only its tenant's postings and statistics", async () => {
    for (const table of ['chunk_terms', 'chunk_term_counts', 'chunk_corpus_counts']) {
      const seen = await asService(tenantB, `SELECT DISTINCT tenant_id::text FROM ${table}`);
      expect(seen).toEqual([{ tenant_id: tenantB }]);
    }
    const foreign = await asService(
      tenantB,
      `SELECT count(*)::int AS n FROM chunk_terms WHERE lexeme = 'nightingale'`,
    );
    expect(foreign).toEqual([{ n: 0 }]);
  });

  it("never finds another tenant's words, nor lets its corpus change a tenant's scores", async () => {
    const own = await rag.call(tenantA, RAG.SEARCH, { query: 'Nightingale' });
    expect(own.results.map((result) => result.document_id)).toEqual([secret.id]);
    const foreign = await rag.call(tenantB, RAG.SEARCH, { query: 'Nightingale' });
    expect(foreign.results.map((result) => result.document_id)).not.toContain(secret.id);
    expect(JSON.stringify(foreign)).not.toMatch(/Nightingale/);

    const query = 'bicycles budget';
    const before = await rag.call(tenantB, RAG.SEARCH, { query });
    // Tenant A makes "budget" common in its own corpus and "bicycles" rare: B's relevance
    // (IDF-weighted coverage) would move if A's statistics weighed in.
    for (let i = 0; i < 3; i++) {
      await ingest(tenantA, `Budget ${i}`, `The budget, budget ${i}.`);
    }
    const after = await rag.call(tenantB, RAG.SEARCH, { query });
    // Each of B's chunks holds one of the two words: its relevance is that word's IDF share.
    expect(before.results.map((result) => result.relevance).sort()).toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(before.results.every((result) => result.relevance > 0 && result.relevance < 1)).toBe(
      true,
    );
    expect(after.results).toEqual(before.results);
  });

  it("drops a deleted document's postings and counts, and only its", async () => {
    const b = await statistics(tenantB);
    await rag.call(tenantA, RAG.DOCUMENTS_DELETE, { id: secret.id });
    const a = await statistics(tenantA);
    expect(a.df).toBe(0);
    const { rows } = await rag.owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chunk_terms t
        WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = t.chunk_id)`,
    );
    expect(rows[0].n).toBe(0);
    expect(a.chunks).toBe(3);
    expect(await statistics(tenantB)).toEqual(b);
    const gone = await rag.call(tenantA, RAG.SEARCH, { query: 'Nightingale' });
    expect(gone.results.map((result) => result.document_id)).not.toContain(secret.id);
  });

  it('indexes identifiers whole and split, words unstemmed, tags as words, no stop words', async () => {
    const { rows } = await rag.owner.query<{ words: string[] }>(
      `SELECT array_agg(lexeme ORDER BY lexeme) AS words
         FROM unnest(search_lexemes('Set log_statement, run git commit --no-verify <commit> per blame.ignoreRevsFile to the end'))`,
    );
    expect(rows[0].words).toEqual(
      expect.arrayContaining([
        'log_statement',
        'log',
        'statement',
        'no-verify',
        'verify',
        'commit',
        'blame.ignorerevsfile',
        'blame',
        'ignorerevsfile',
        'set',
        'run',
      ]),
    );
    // Stop words are neither indexed nor counted in a chunk's length.
    expect(rows[0].words).not.toEqual(expect.arrayContaining(['no']));
    expect(rows[0].words).not.toEqual(expect.arrayContaining(['the']));
    const tenant = await rag.createTenant('Identifiers');
    const settings = await ingest(
      tenant,
      'Settings',
      'Set log_statement to all to log every statement.',
    );
    await ingest(tenant, 'Hooks', 'Pass --no-verify to git commit to skip the pre-commit hook.');
    for (const query of ['log_statement', 'which statement does it log', 'LOG_STATEMENT?']) {
      const found = await rag.call(tenant, RAG.SEARCH, { query });
      expect(found.results[0]?.document_id).toBe(settings.id);
    }
    const hook = await rag.call(tenant, RAG.SEARCH, { query: 'what does --no-verify skip' });
    expect(hook.results[0]?.text).toMatch(/no-verify/);
  });

  it('stores each chunk the vector of its heading path and text, as search_lexemes makes it', async () => {
    const tenant = await rag.createTenant('Stored vectors');
    const guide = await ingest(
      tenant,
      'Guide',
      '# Setup\n\n## Hooks\n\nPass --no-verify to git commit. Set log_statement to all.',
    );
    const rows = await asService(
      tenant,
      `SELECT tsv = search_lexemes(array_to_string(heading_path, ' ') || ' ' || text) AS same,
              tsv IS NOT NULL AND length(tsv) > 0 AS filled
         FROM chunks WHERE document_id = ${sqlLiteral(guide.id)}`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(rows.map(() => ({ same: true, filled: true })));
  });

  it("measures relevance over the question's content words, not how it is asked", async () => {
    const tenant = await rag.createTenant('Returns');
    const returns = await ingest(
      tenant,
      'Returns',
      'How it works: customers may return a parcel within 30 days of delivery.',
    );
    const asked = await rag.call(tenant, RAG.SEARCH, {
      query: 'How many days do I have to return a parcel?',
    });
    expect(asked.results[0]?.document_id).toBe(returns.id);
    expect(asked.results[0]?.relevance).toBe(1);
    expect(asked.no_relevant_context).toBe(false);
    // Only "how" matches: a word of the asking, not of the topic.
    const unrelated = await rag.call(tenant, RAG.SEARCH, {
      query: 'How does it focus a telescope?',
    });
    expect(unrelated.results.every((result) => result.relevance === 0)).toBe(true);
    expect(unrelated.no_relevant_context).toBe(true);
  });

  it('counts a word of the question as held when the chunk holds another form of it', async () => {
    const tenant = await rag.createTenant('Pricing');
    const pricing = await ingest(
      tenant,
      'Pricing',
      'The premium plan costs 99 euros a month and includes priority support.',
    );
    await ingest(tenant, 'Support', 'Priority support answers within one business day.');
    await ingest(tenant, 'Security', 'Every account is protected by two-factor sign-in.');
    // "cost" is in no chunk: unstemmed, it would be the rarest word and the chunk look unrelated.
    const asked = await rag.call(tenant, RAG.SEARCH, {
      query: 'How much does the premium plan cost a month?',
    });
    expect(asked.results[0]?.document_id).toBe(pricing.id);
    expect(asked.results[0]?.relevance).toBeCloseTo(1, 6);
    expect(asked.no_relevant_context).toBe(false);
    // A word of another stem that merely starts alike ("costume") is still missing.
    const costume = await rag.call(tenant, RAG.SEARCH, {
      query: 'Does the premium plan include a costume?',
    });
    expect(costume.results[0]?.document_id).toBe(pricing.id);
    expect(costume.results[0]?.relevance).toBeLessThan(0.9);
  });

  it('scores candidates by probing one posting per term, with or without table statistics', async () => {
    // Every chunk holds every word but the topic, as in the chat bench: a plan that found a
    // candidate's postings by chunk alone read every posting of the tenant per candidate
    // (the planner chose it while the term tables had no statistics: 185 ms at 2,220 chunks).
    const tenant = await rag.createTenant('Handbooks');
    const topics = ['refund', 'shipping', 'warranty', 'invoice'];
    const rules = topics.flatMap((topic, t) =>
      Array.from(
        { length: 15 },
        (_, i) =>
          `## ${topic} rule ${t}-${i}\n\nThe ${topic} rule says customers get an answer within ${i} days.`,
      ),
    );
    await ingest(tenant, 'Handbook', rules.join('\n\n'));
    const ranking = `WITH ${queryTerms(sqlLiteral('How many days does the refund rule give customers?'))},
      ${bm25Ranking(sqlLiteral(tenant), 20)} SELECT id FROM ranked`;
    const [{ 'QUERY PLAN': plan }] = await asService(
      tenant,
      `EXPLAIN (ANALYZE, FORMAT JSON) ${ranking}`,
    );
    const postingScans: { 'Index Cond'?: string; 'Actual Rows': number; 'Actual Loops': number }[] =
      [];
    const walk = (node: Record<string, unknown>) => {
      if (node['Relation Name'] === 'chunk_terms') {
        postingScans.push(node as (typeof postingScans)[number]);
      }
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) {
        walk(child);
      }
    };
    walk((plan as { Plan: Record<string, unknown> }[])[0].Plan);
    expect(postingScans.length).toBeGreaterThan(0);
    for (const scan of postingScans) {
      expect(scan['Index Cond']).toMatch(/lexeme = /);
    }
    const postingsRead = postingScans.reduce(
      (sum, scan) => sum + scan['Actual Rows'] * scan['Actual Loops'],
      0,
    );
    // At most two per chunk and query term (5 here): one to choose the candidates, one to
    // score them. The plan without the lexeme read every posting of the tenant per candidate.
    expect(postingsRead).toBeLessThanOrEqual(2 * rules.length * 5);
  });

  it('refuses to change a chunk in place, which would leave the index stale', async () => {
    await expect(
      rag.owner.query(`UPDATE chunks SET text = 'changed' WHERE tenant_id = $1`, [tenantB]),
    ).rejects.toThrow(/immutable/);
  });
});
