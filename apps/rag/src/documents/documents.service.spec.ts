import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, ErrorCode, tenantIdOf } from '@tenantbot/contracts';
import type { ObjectStorage } from '@tenantbot/object-storage';

import { ragConfigSchema } from '../config/rag-config';
import type { EmbedderRegistry } from '../embeddings/embedder-registry';
import type { IngestionQueue } from '../ingestion/ingestion-queue';
import type { ChromaVectorStore } from '../vectors/chroma-vector-store';
import type { DocumentRow, DocumentsRepository, NewDocument } from './documents.repository';
import { DocumentsService } from './documents.service';

const TENANT = tenantIdOf('3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a');
const caller = (requestId = 'req-1', role: Caller['role'] = 'tenant_admin'): Caller => ({
  requestId,
  tenantId: TENANT,
  role,
});

function rowOf(document: NewDocument): DocumentRow {
  const now = new Date();
  return {
    id: document.id,
    tenant_id: TENANT,
    source: document.source,
    type: null,
    filename: document.filename ?? null,
    url: document.url ?? null,
    title: document.title ?? null,
    content_type: null,
    crawl: null,
    status: 'pending',
    error_code: null,
    error: null,
    pages: null,
    chunk_count: 0,
    bytes: document.bytes === undefined || document.bytes === null ? null : String(document.bytes),
    version: 1,
    storage_key: document.storageKey ?? null,
    tags: document.tags ?? [],
    settings: document.settings,
    embedding_model: null,
    created_at: now,
    updated_at: now,
    processed_at: null,
  };
}

/** The service over fakes of its repository, queue, vectors and storage. */
function documentsService() {
  const rows = new Map<string, DocumentRow>();
  const repository = {
    insert: jest.fn(async (_tenant: string, document: NewDocument) => {
      const existing = rows.get(document.id);
      if (existing) {
        return { row: existing, created: false };
      }
      rows.set(document.id, rowOf(document));
      return { row: rows.get(document.id), created: true };
    }),
    find: jest.fn(async (_tenant: string, id: string) => rows.get(id)),
    list: jest.fn(async () => ({ rows: [...rows.values()], total: rows.size })),
    delete: jest.fn(async (_tenant: string, id: string) => {
      const row = rows.get(id);
      rows.delete(id);
      return row;
    }),
  };
  const queue = {
    enqueue: jest.fn(async (_job: unknown) => undefined),
    cancel: jest.fn(async (_tenant: string, _id: string, _version: number) => undefined),
  };
  const vectors = {
    deleteDocument: jest.fn(async (_tenant: string, _models: string[], _id: string) => undefined),
  };
  const storage = {
    put: jest.fn(async (_key: string, body: Buffer) => ({ bytes: body.length })),
    delete: jest.fn(async (_key: string) => undefined),
  };
  const embedders = { defaultProvider: 'local', for: jest.fn(), models: () => ['local-hash-512'] };
  const service = new DocumentsService(
    repository as unknown as DocumentsRepository,
    queue as unknown as IngestionQueue,
    vectors as unknown as ChromaVectorStore,
    embedders as unknown as EmbedderRegistry,
    storage as unknown as ObjectStorage,
    ragConfigSchema.parse({}),
  );
  return { service, rows, repository, queue, vectors, storage };
}

describe('DocumentsService', () => {
  it('stores pasted text under the caller’s tenant and queues its ingestion', async () => {
    const { service, queue, storage } = documentsService();
    const view = await service.create(caller(), { title: 'Notes', text: 'hello' });
    expect(view).toMatchObject({ status: 'pending', source: 'text', title: 'Notes' });
    expect(storage.put.mock.calls[0][0]).toBe(`${TENANT}/${view.id}`);
    expect(queue.enqueue).toHaveBeenCalledWith(
      expect.objectContaining({ tenantId: TENANT, documentId: view.id, version: 1 }),
    );
  });

  it('answers a request run again with the document it created, queued once', async () => {
    const { service, queue } = documentsService();
    const first = await service.create(caller('req-7'), { title: 'A', text: 'same' });
    const again = await service.create(caller('req-7'), { title: 'A', text: 'same' });
    const other = await service.create(caller('req-8'), { title: 'A', text: 'same' });
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(queue.enqueue).toHaveBeenCalledTimes(2);
  });

  it('refuses an upload stored under another tenant’s key', async () => {
    const { service, repository } = documentsService();
    const documentId = '9b2f6a1e-3c4d-4e5f-8a7b-6c5d4e3f2a1b';
    await expect(
      service.create(caller(), {
        document_id: documentId,
        storage_key: `00000000-0000-4000-8000-000000000000/${documentId}`,
        filename: 'a.pdf',
        bytes: 10,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('undoes a new document whose job cannot be queued, and says the queue is down', async () => {
    const { service, rows, queue, storage } = documentsService();
    queue.enqueue.mockRejectedValueOnce(new Error('connection refused'));
    await expect(service.create(caller(), { title: 'T', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
    });
    expect(rows.size).toBe(0);
    expect(storage.delete).toHaveBeenCalled();
  });

  it('deletes the file, the row, the queued job and the vectors', async () => {
    const { service, queue, vectors, storage } = documentsService();
    const view = await service.create(caller(), { title: 'T', text: 'x' });
    await expect(service.delete(caller(), view.id)).resolves.toEqual({
      id: view.id,
      deleted: true,
    });
    expect(storage.delete).toHaveBeenCalledWith(`${TENANT}/${view.id}`);
    expect(queue.cancel).toHaveBeenCalledWith(TENANT, view.id, 1);
    expect(vectors.deleteDocument).toHaveBeenCalledWith(TENANT, ['local-hash-512'], view.id);
  });

  it('lets an agent read documents but not change them', async () => {
    const { service, repository } = documentsService();
    const agent = caller('req-9', 'agent');
    await expect(service.list(agent, { limit: 10, offset: 0 })).resolves.toMatchObject({
      total: 0,
    });
    await expect(service.create(agent, { title: 'T', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    await expect(service.delete(agent, 'any')).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('answers DOCUMENT_NOT_FOUND for an id the tenant does not have', async () => {
    const { service } = documentsService();
    await expect(service.get(caller(), 'missing')).rejects.toMatchObject({
      code: ErrorCode.DOCUMENT_NOT_FOUND,
    });
  });
});
