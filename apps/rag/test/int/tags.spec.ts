import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  type DocumentView,
  type TenantId,
  type TextSource,
  textSourceSchema,
} from '@tenantbot/contracts';

import { DocumentsService } from '../../src/documents/documents.service';
import { SearchService } from '../../src/search/search.service';
import { callerOf, RagInProcess } from './support/rag-in-process';

const QUESTION = 'what does the premium plan cost';

describe('document tags and tag-scoped search, in process', () => {
  let rag: RagInProcess;
  let documents: DocumentsService;
  let search: SearchService;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let pricing: DocumentView;
  let internal: DocumentView;

  async function ingested(tenant: TenantId, source: TextSource): Promise<DocumentView> {
    // Parsed as the handler's @ValidPayload parses it.
    const created = await documents.create(callerOf(tenant), textSourceSchema.parse(source));
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const state = await documents.get(callerOf(tenant), created.id);
      if (state.status === 'completed') {
        return state;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${source.title} was not ingested`);
  }

  function citedBy(reply: { results: { document_id: string }[] }): string[] {
    return [...new Set(reply.results.map((result) => result.document_id))];
  }

  beforeAll(async () => {
    rag = await RagInProcess.start();
    documents = rag.module.get(DocumentsService);
    search = rag.module.get(SearchService);
    [tenantA, tenantB] = [await rag.createTenant(), await rag.createTenant()];
    [pricing, internal] = await Promise.all([
      ingested(tenantA, {
        title: 'Pricing',
        text: 'The premium plan costs 99 euros a month.',
        tags: ['Pricing', 'public', 'pricing'],
      }),
      ingested(tenantA, {
        title: 'Internal',
        text: 'The premium plan costs us 41 euros a month to serve.',
        tags: ['internal'],
      }),
      ingested(tenantB, {
        title: 'B pricing',
        text: 'The premium plan costs 5 euros a month.',
        tags: ['pricing'],
      }),
    ]);
  });

  afterAll(() => rag?.stop());

  it('keeps tags lower-cased and unique, and filters the list by one', async () => {
    expect(pricing.tags).toEqual(['pricing', 'public']);
    const listed = await documents.list(callerOf(tenantA), {
      tag: 'pricing',
      limit: 20,
      offset: 0,
    });
    expect(listed.items.map((item) => item.id)).toEqual([pricing.id]);
  });

  it('searches only the documents carrying the tags, or listed, in both rankings', async () => {
    const everything = await search.search(callerOf(tenantA), { query: QUESTION });
    expect(citedBy(everything).sort()).toEqual([pricing.id, internal.id].sort());

    const tagged = await search.search(callerOf(tenantA), { query: QUESTION, tags: ['pricing'] });
    expect(citedBy(tagged)).toEqual([pricing.id]);

    const either = await search.search(callerOf(tenantA), {
      query: QUESTION,
      tags: ['nothing-has-this'],
      document_ids: [internal.id],
    });
    expect(citedBy(either)).toEqual([internal.id]);

    const none = await search.search(callerOf(tenantA), { query: QUESTION, tags: ['unknown'] });
    expect(none).toEqual({ results: [], no_relevant_context: true });
  });

  it("retags a document at once, and never resolves another tenant's tags", async () => {
    await documents.update(callerOf(tenantA), { id: internal.id, tags: ['pricing'] });
    const widened = await search.search(callerOf(tenantA), { query: QUESTION, tags: ['pricing'] });
    expect(citedBy(widened).sort()).toEqual([pricing.id, internal.id].sort());

    const ofB = await search.search(callerOf(tenantB), { query: QUESTION, tags: ['pricing'] });
    expect(citedBy(ofB)).not.toContain(pricing.id);
    expect(citedBy(ofB)).not.toContain(internal.id);
    await expect(
      documents.update(callerOf(tenantB), { id: pricing.id, tags: ['mine'] }),
    ).rejects.toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    await expect(
      documents.update({ ...callerOf(tenantA), role: 'user' }, { id: pricing.id, tags: [] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
