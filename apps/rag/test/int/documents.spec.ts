import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type DocumentView, ErrorCode, type TenantId } from '@tenantbot/contracts';

import { DocumentsService } from '../../src/documents/documents.service';
import { ingestionJobId } from '../../src/ingestion/ingestion-job';
import { IngestionQueue } from '../../src/ingestion/ingestion-queue';
import { callerOf, RagInProcess } from './support/rag-in-process';

const TEXT = `# Returns\n\nItems can be returned within 30 days with the receipt.\n\n# Shipping\n\nOrders ship in two business days.`;

describe('documents and ingestion, in process', () => {
  let rag: RagInProcess;
  let documents: DocumentsService;
  let tenantA: TenantId;
  let tenantB: TenantId;

  beforeAll(async () => {
    rag = await RagInProcess.start();
    documents = rag.module.get(DocumentsService);
    [tenantA, tenantB] = [await rag.createTenant(), await rag.createTenant()];
  });

  afterAll(() => rag?.stop());

  async function settled(tenantId: TenantId, id: string): Promise<DocumentView> {
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const document = await documents.get(callerOf(tenantId), id);
      if (document.status === 'completed' || document.status === 'failed') {
        return document;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`document ${id} did not settle`);
  }

  it('ingests pasted text into chunks and vectors of its tenant', async () => {
    const created = await documents.create(callerOf(tenantA), { title: 'Policy', text: TEXT });
    expect(created).toMatchObject({ status: 'pending', source: 'text', version: 1 });

    const done = await settled(tenantA, created.id);
    expect(done).toMatchObject({ status: 'completed', type: 'md' });
    expect(done.chunk_count).toBeGreaterThan(0);
    const { rows } = await rag.owner.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM chunks WHERE document_id = $1`,
      [created.id],
    );
    expect(rows).toHaveLength(done.chunk_count);
    expect(new Set(rows.map((row) => row.tenant_id))).toEqual(new Set([tenantA]));
    expect(await rag.vectors.count(tenantA, done.embedding_model ?? '')).toBe(done.chunk_count);
  });

  it('answers the same document to a create run again with its request id', async () => {
    const caller = callerOf(tenantA);
    const first = await documents.create(caller, { title: 'Once', text: 'Stored once.' });
    const again = await documents.create(caller, { title: 'Once', text: 'Stored once.' });
    expect(again.id).toBe(first.id);
  });

  it('lists, reprocesses and deletes within the tenant', async () => {
    const created = await documents.create(callerOf(tenantA), { title: 'Notes', text: TEXT });
    await settled(tenantA, created.id);

    const page = await documents.list(callerOf(tenantA), { limit: 50, offset: 0 });
    expect(page.items.map((item) => item.id)).toContain(created.id);

    const reprocessed = await documents.reprocess(callerOf(tenantA), { id: created.id });
    expect(reprocessed).toMatchObject({ status: 'pending', version: 2 });
    expect(await settled(tenantA, created.id)).toMatchObject({ status: 'completed', version: 2 });

    expect(await documents.delete(callerOf(tenantA), created.id)).toEqual({
      id: created.id,
      deleted: true,
    });
    await expect(documents.get(callerOf(tenantA), created.id)).rejects.toMatchObject({
      code: ErrorCode.DOCUMENT_NOT_FOUND,
    });
  });

  it('never shows, changes or deletes another tenant’s document', async () => {
    const created = await documents.create(callerOf(tenantA), { title: 'Private', text: TEXT });
    await settled(tenantA, created.id);
    const notFound = { code: ErrorCode.DOCUMENT_NOT_FOUND };

    await expect(documents.get(callerOf(tenantB), created.id)).rejects.toMatchObject(notFound);
    await expect(documents.delete(callerOf(tenantB), created.id)).rejects.toMatchObject(notFound);
    await expect(documents.reprocess(callerOf(tenantB), { id: created.id })).rejects.toMatchObject(
      notFound,
    );
    const page = await documents.list(callerOf(tenantB), { limit: 50, offset: 0 });
    expect(page).toMatchObject({ items: [], total: 0 });

    expect(await documents.get(callerOf(tenantA), created.id)).toMatchObject({
      status: 'completed',
      version: 1,
    });
  });

  it('runs a job in the tenant its data names: another tenant’s job finds no document', async () => {
    const created = await documents.create(callerOf(tenantA), { title: 'Job', text: TEXT });
    await settled(tenantA, created.id);
    // Version 2 exists, so only the tenant can stop the job: tenant B's scope sees no row.
    await rag.owner.query(`UPDATE documents SET version = 2 WHERE id = $1`, [created.id]);
    const queue = rag.module.get(IngestionQueue);
    await queue.enqueue({
      tenantId: tenantB,
      documentId: created.id,
      version: 2,
      settings: { chunk_size: 200, chunk_overlap: 0, top_k: 5, embedding_provider: 'local' },
    });
    const job = await queue.queue.getJob(ingestionJobId(created.id, 2));
    for (const until = Date.now() + 10_000; !(await job?.isCompleted()) && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await job?.isCompleted()).toBe(true);

    const { rows } = await rag.owner.query<{ status: string }>(
      `SELECT status FROM documents WHERE id = $1`,
      [created.id],
    );
    expect(rows[0].status).toBe('completed');
    expect(await rag.vectors.count(tenantB, 'local-hash-512')).toBe(0);
  });
});
