import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { TenantId } from '@tenantbot/contracts';

import { DocumentsService } from '../../src/documents/documents.service';
import { SearchService } from '../../src/search/search.service';
import { StatsService } from '../../src/stats/stats.service';
import { callerOf, RagInProcess } from './support/rag-in-process';

describe('search and stats, in process', () => {
  let rag: RagInProcess;
  let search: SearchService;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let documentOfA: string;

  beforeAll(async () => {
    rag = await RagInProcess.start();
    search = rag.module.get(SearchService);
    const documents = rag.module.get(DocumentsService);
    [tenantA, tenantB] = [await rag.createTenant(), await rag.createTenant()];
    const created = await Promise.all([
      documents.create(callerOf(tenantA), {
        title: 'Aquarium',
        text: 'The axolotl tank is cleaned every Tuesday by the night keeper.',
      }),
      documents.create(callerOf(tenantB), {
        title: 'Bakery',
        text: 'Sourdough loaves are baked at dawn and sold until noon.',
      }),
    ]);
    documentOfA = created[0].id;
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const states = await Promise.all(
        created.map((document, i) =>
          documents.get(callerOf(i === 0 ? tenantA : tenantB), document.id),
        ),
      );
      if (states.every((state) => state.status === 'completed')) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the documents were not ingested');
  });

  afterAll(() => rag?.stop());

  it('finds the tenant’s chunk by its words', async () => {
    const reply = await search.search(callerOf(tenantA), {
      query: 'when is the axolotl tank cleaned',
    });
    expect(reply.no_relevant_context).toBe(false);
    expect(reply.results[0]).toMatchObject({ document_id: documentOfA, filename: 'Aquarium' });
    expect(reply.results[0].text).toContain('axolotl');
  });

  it('never finds another tenant’s chunks', async () => {
    const reply = await search.search(callerOf(tenantB), { query: 'axolotl tank cleaned' });
    expect(reply.results.filter((result) => result.document_id === documentOfA)).toEqual([]);
    expect(reply.no_relevant_context).toBe(true);
  });

  it('evaluates the tenant’s questions against its own documents', async () => {
    const reply = await search.evaluate(callerOf(tenantA), {
      questions: [{ question: 'axolotl tank', expected_document_id: documentOfA }],
      top_k: 3,
    });
    expect(reply).toMatchObject({ questions: 1, hit_at_1: 1, misses: [] });
  });

  it('counts a tenant’s documents and chunks, or the platform’s', async () => {
    const stats = rag.module.get(StatsService);
    const ofA = await stats.stats({ ...callerOf(tenantA), role: 'tenant_admin' });
    expect(ofA.documents).toEqual({ total: 1, by_status: { completed: 1 } });
    expect(ofA.chunks).toBeGreaterThan(0);
    const platform = await stats.stats({ requestId: 'req', role: 'super_admin', userId: 'u' });
    expect(platform.documents.total).toBe(2);
  });
});
