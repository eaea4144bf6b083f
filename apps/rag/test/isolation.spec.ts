import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastValueFrom } from 'rxjs';

import { type DocumentView, ErrorCode, RAG, TENANT_EVENTS } from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';

import { ChromaVectorStore } from '../src/vectors/chroma-vector-store';
import { expectCode, LOCAL_MODEL, RagHarness } from './support/rag-harness';

const SECRET = 'Project Nightingale launches on the 3rd of March with a budget of 2 million.';

describe('tenant isolation of documents, chunks and vectors', () => {
  let rag: RagHarness;
  let tenantA: string;
  let tenantB: string;
  let secret: DocumentView;
  let uploaded: DocumentView;

  beforeAll(async () => {
    // The vector path's guarantees (stale and foreign vector ids never surface) are tested
    // with the local embedder's ranking in the fusion, which is off by default.
    rag = await RagHarness.start({ SEARCH_LOCAL_VECTOR_WEIGHT: '1' });
    [tenantA, tenantB] = [await rag.createTenant('A'), await rag.createTenant('B')];
    secret = await rag.call(tenantA, RAG.DOCUMENTS_CREATE, {
      title: 'Plans',
      text: SECRET,
    });
    const id = randomUUID();
    await mkdir(join(rag.filesDir, tenantA), { recursive: true });
    await writeFile(join(rag.filesDir, tenantA, id), `# Salaries\n\n${SECRET}`);
    uploaded = await rag.call(tenantA, RAG.DOCUMENTS_CREATE, {
      document_id: id,
      storage_key: `${tenantA}/${id}`,
      filename: 'salaries.md',
      bytes: 10,
    });
    await rag.call(tenantB, RAG.DOCUMENTS_CREATE, {
      title: 'B notes',
      text: 'Tenant B sells bicycles.',
    });
    await Promise.all([rag.settled(tenantA, secret.id), rag.settled(tenantA, uploaded.id)]);
  });

  afterAll(async () => {
    await rag.stop();
  });

  async function aIsUntouched() {
    const { rows } = await rag.owner.query<{ version: number; status: string; chunks: number }>(
      `SELECT d.version, d.status, (SELECT count(*)::int FROM chunks c WHERE c.document_id = d.id) AS chunks
         FROM documents d WHERE d.id = $1`,
      [secret.id],
    );
    expect(rows).toEqual([{ version: 1, status: 'completed', chunks: 1 }]);
    expect(await rag.vectorIds(tenantA, secret.id)).toHaveLength(1);
    expect(existsSync(join(rag.filesDir, tenantA, uploaded.id))).toBe(true);
  }

  it("never lists or gets another tenant's documents", async () => {
    const page = await rag.call(tenantB, RAG.DOCUMENTS_LIST, { limit: 100 });
    expect(page.items.map((document) => document.title)).toEqual(['B notes']);
    expect(page.total).toBe(1);
    for (const document of [secret, uploaded]) {
      await expectCode(
        rag.call(tenantB, RAG.DOCUMENTS_GET, { id: document.id }),
        ErrorCode.DOCUMENT_NOT_FOUND,
      );
    }
  });

  it("never finds another tenant's chunks, even when asking for its document ids", async () => {
    const own = await rag.call(tenantA, RAG.SEARCH, { query: 'Nightingale budget' });
    expect(own.results.length).toBeGreaterThan(0);
    for (const pattern of [RAG.SEARCH, RAG.RETRIEVE]) {
      const reply = await rag.call(tenantB, pattern, {
        query: 'Nightingale budget',
        top_k: 50,
      });
      expect(reply.results.every((result) => result.document_id !== secret.id)).toBe(true);
      expect(reply.results.every((result) => !result.text.includes('Nightingale'))).toBe(true);
      const targeted = await rag.call(tenantB, pattern, {
        query: 'Nightingale',
        document_ids: [secret.id, uploaded.id],
      });
      expect(targeted.results).toEqual([]);
    }
  });

  it("never shows another tenant's chunk whose id reaches its own vector collection", async () => {
    // As if tenant A's vector ids had leaked into B's collection: B's ranking then holds them,
    // but the rows behind them are read under B's row-level security and do not exist for B.
    const query = 'Nightingale budget';
    const leakedIds = await rag.vectorIds(tenantA, secret.id);
    await rag.plantVectors(tenantB, leakedIds, query, secret.id);
    const reply = await rag.call(tenantB, RAG.SEARCH, { query, top_k: 50 });
    expect(reply.results.map((result) => result.chunk_id)).not.toContain(leakedIds[0]);
    expect(reply.results.every((result) => !result.text.includes('Nightingale'))).toBe(true);
    expect(reply.results.map((result) => result.text)).toEqual(['Tenant B sells bicycles.']);
    await rag.vectors.delete(tenantB, LOCAL_MODEL, leakedIds);
  });

  it("cannot delete or reprocess another tenant's documents", async () => {
    for (const pattern of [RAG.DOCUMENTS_DELETE, RAG.DOCUMENTS_REPROCESS]) {
      for (const document of [secret, uploaded]) {
        await expectCode(
          rag.call(tenantB, pattern, { id: document.id }),
          ErrorCode.DOCUMENT_NOT_FOUND,
        );
      }
    }
    await aIsUntouched();
  });

  it("cannot point an upload at another tenant's file or take over its document id", async () => {
    await expectCode(
      rag.call(tenantB, RAG.DOCUMENTS_CREATE, {
        document_id: uploaded.id,
        storage_key: `${tenantA}/${uploaded.id}`,
        filename: 'mine.md',
        bytes: 10,
      }),
      ErrorCode.VALIDATION_FAILED,
    );
    await expectCode(
      rag.call(tenantB, RAG.DOCUMENTS_CREATE, {
        document_id: uploaded.id,
        storage_key: `${tenantB}/${uploaded.id}`,
        filename: 'mine.md',
        bytes: 10,
      }),
      ErrorCode.CONFLICT,
    );
    await aIsUntouched();
  });

  it('keeps vectors in one Chroma collection per tenant and model', async () => {
    const names = await rag.vectors.deleteTenant('00000000-0000-0000-0000-000000000000');
    expect(names).toEqual([]);
    expect(ChromaVectorStore.collectionName(tenantA, LOCAL_MODEL)).toBe(
      `t_${tenantA.replace(/-/g, '')}_${LOCAL_MODEL}`,
    );
    expect(await rag.vectors.count(tenantB, LOCAL_MODEL)).toBe(1);
  });

  it("removes a deleted tenant's collections and files on tenant.deleted, and only its", async () => {
    expect(await rag.vectors.count(tenantA, LOCAL_MODEL)).toBe(2);
    await rag.owner.query(`DELETE FROM tenants WHERE id = $1`, [tenantA]);
    expect(
      (await rag.owner.query(`SELECT 1 FROM chunks WHERE tenant_id = $1`, [tenantA])).rowCount,
    ).toBe(0);

    await runWithContext({ requestId: randomUUID() }, () =>
      lastValueFrom(rag.client.emit(TENANT_EVENTS.DELETED, { tenantId: tenantA }), {
        defaultValue: undefined,
      }),
    );
    const until = Date.now() + 10_000;
    while (existsSync(join(rag.filesDir, tenantA)) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(existsSync(join(rag.filesDir, tenantA))).toBe(false);
    // The handler dropped the collections before the files: none is left to drop.
    expect(await rag.vectors.deleteTenant(tenantA)).toEqual([]);
    expect(await rag.vectors.count(tenantB, LOCAL_MODEL)).toBe(1);
    const { results } = await rag.call(tenantB, RAG.SEARCH, { query: 'bicycles' });
    expect(results).toHaveLength(1);
  });
});
