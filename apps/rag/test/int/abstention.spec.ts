import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { TenantId } from '@tenantbot/contracts';

import { DocumentsService } from '../../src/documents/documents.service';
import { SearchService } from '../../src/search/search.service';
import { callerOf, RagInProcess } from './support/rag-in-process';

/**
 * `no_relevant_context` for a question about something the knowledge base never names (ADR
 * 0036-abstention-on-named-terms), against the real Postgres ranking.
 */
describe('abstention on names the knowledge base lacks, in process', () => {
  let rag: RagInProcess;
  let search: SearchService;
  let tenantA: TenantId;
  let tenantB: TenantId;

  beforeAll(async () => {
    rag = await RagInProcess.start();
    search = rag.module.get(SearchService);
    const documents = rag.module.get(DocumentsService);
    [tenantA, tenantB] = [await rag.createTenant(), await rag.createTenant()];
    const created = await Promise.all([
      documents.create(callerOf(tenantA), {
        title: 'Returns',
        text:
          'Returns: parcels shipped with DHL can be returned within 30 days of delivery. ' +
          'Print the return label from your account and drop the parcel at any DHL point.',
      }),
      documents.create(callerOf(tenantA), {
        title: 'Payment',
        text: 'We accept cards and bank transfers. Invoices are sent by email after shipping.',
      }),
      documents.create(callerOf(tenantB), {
        title: 'Carriers',
        text: 'Parcels shipped with UPS can be returned within 30 days of delivery.',
      }),
    ]);
    const owners = [tenantA, tenantA, tenantB];
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const states = await Promise.all(
        created.map((document, i) => documents.get(callerOf(owners[i]), document.id)),
      );
      if (states.every((state) => state.status === 'completed')) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the documents were not ingested');
  });

  afterAll(() => rag?.stop());

  it('answers a question whose names the knowledge base holds', async () => {
    const reply = await search.search(callerOf(tenantA), {
      query: 'Can parcels shipped with DHL be returned within 30 days?',
    });
    expect(reply.no_relevant_context).toBe(false);
    expect(reply.results[0].text).toContain('within 30 days');
  });

  it('finds nothing relevant for a question about a name the knowledge base never uses', async () => {
    const reply = await search.search(callerOf(tenantA), {
      query: 'Can parcels shipped with UPS be returned within 30 days?',
    });
    // The returns chunk holds every other word of the question: the name alone decides.
    expect(reply.results[0].text).toContain('within 30 days');
    expect(reply.results[0].relevance).toBeGreaterThan(0.25);
    expect(reply.no_relevant_context).toBe(true);
  });

  it('counts only the tenant’s own corpus: another tenant naming UPS changes nothing', async () => {
    const ofB = await search.search(callerOf(tenantB), {
      query: 'Can parcels shipped with UPS be returned within 30 days?',
    });
    expect(ofB.no_relevant_context).toBe(false);
    const ofA = await search.search(callerOf(tenantA), { query: 'Do you ship with UPS?' });
    expect(ofA.results.every((result) => !result.text.includes('UPS'))).toBe(true);
    expect(ofA.no_relevant_context).toBe(true);
  });
});
