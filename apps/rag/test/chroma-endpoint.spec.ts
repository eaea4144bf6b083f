import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminClient, ChromaClient } from 'chromadb';

import { RAG, RAG_DEPENDENCIES } from '@tenantbot/contracts';

import { LocalEmbedder } from '../src/embeddings/local-embedder';
import { chromaEndpoint } from '../src/vectors/chroma-endpoint';
import { ChromaVectorStore } from '../src/vectors/chroma-vector-store';
import { LOCAL_MODEL, RagHarness } from './support/rag-harness';
import { TokenProxy } from './support/token-proxy';

const localUrl = new URL(process.env.CHROMA_URL ?? 'http://127.0.0.1:8000');
const local = { host: localUrl.hostname, port: Number(localUrl.port), ssl: false };
const TOKEN = `ck-${randomUUID()}`;

/**
 * A Chroma that is not the local default: its own Chroma tenant and database, behind a proxy
 * that demands a token (what Chroma Cloud or a distributed Chroma with auth looks like).
 */
describe('a Chroma endpoint with authentication, tenant and database', () => {
  const chromaTenant = `tb_${randomUUID().slice(0, 8)}`;
  const chromaDatabase = 'vectors';
  let tokenProxy: TokenProxy;
  let bearerProxy: TokenProxy;

  beforeAll(async () => {
    const admin = new AdminClient(local);
    await admin.createTenant({ name: chromaTenant });
    await admin.createDatabase({ name: chromaDatabase, tenant: chromaTenant });
    tokenProxy = await TokenProxy.start(localUrl.toString(), 'x-chroma-token', TOKEN);
    bearerProxy = await TokenProxy.start(localUrl.toString(), 'authorization', TOKEN);
  });

  afterAll(async () => {
    await tokenProxy.close();
    await bearerProxy.close();
  });

  const settings = (url: string, key?: string, header = 'x-chroma-token' as const) => ({
    CHROMA_URL: url,
    CHROMA_API_KEY: key,
    CHROMA_AUTH_HEADER: header,
    CHROMA_TENANT: chromaTenant,
    CHROMA_DATABASE: chromaDatabase,
  });

  it('writes, queries and deletes vectors in its own Chroma tenant and database, with the token', async () => {
    const store = ChromaVectorStore.connect(chromaEndpoint(settings(tokenProxy.url, TOKEN)));
    const tenantId = randomUUID();
    const documentId = randomUUID();
    const [embedding] = await new LocalEmbedder().embed(['the lighthouse keeper']);
    const ids = [randomUUID(), randomUUID()];
    try {
      await store.upsert(
        tenantId,
        LOCAL_MODEL,
        ids.map((id, chunkIndex) => ({ id, embedding, documentId, version: 1, chunkIndex })),
      );
      const hits = await store.query(tenantId, LOCAL_MODEL, embedding, 5);
      expect(hits.map((hit) => hit.id).sort()).toEqual([...ids].sort());
      expect(await store.count(tenantId, LOCAL_MODEL)).toBe(2);

      // The collection lives in the configured Chroma tenant and database, not the default one.
      const name = ChromaVectorStore.collectionName(tenantId, LOCAL_MODEL);
      const inConfigured = new ChromaClient({
        ...local,
        tenant: chromaTenant,
        database: chromaDatabase,
      });
      const inDefault = new ChromaClient(local);
      expect((await inConfigured.listCollections()).map((c) => c.name)).toContain(name);
      expect((await inDefault.listCollections({ limit: 1000 })).map((c) => c.name)).not.toContain(
        name,
      );
      // Every call went through the proxy with the token: the hot path and the client alike.
      expect(tokenProxy.forwarded.some((path) => path.endsWith('/upsert'))).toBe(true);
      expect(tokenProxy.forwarded.some((path) => path.endsWith('/query'))).toBe(true);
      expect(tokenProxy.forwarded.every((path) => !path.includes('default_database'))).toBe(true);

      await store.deleteDocument(tenantId, [LOCAL_MODEL], documentId);
      expect(await store.count(tenantId, LOCAL_MODEL)).toBe(0);
      expect(await store.deleteTenant(tenantId)).toEqual([name]);
    } finally {
      await store.close();
    }
  });

  it('sends the token as a bearer when configured so', async () => {
    const store = ChromaVectorStore.connect(
      chromaEndpoint(settings(bearerProxy.url, TOKEN, 'authorization' as never)),
    );
    const tenantId = randomUUID();
    const [embedding] = await new LocalEmbedder().embed(['bearer']);
    try {
      await store.upsert(tenantId, LOCAL_MODEL, [
        { id: randomUUID(), embedding, documentId: randomUUID(), version: 1, chunkIndex: 0 },
      ]);
      expect(await store.count(tenantId, LOCAL_MODEL)).toBe(1);
      await store.deleteTenant(tenantId);
    } finally {
      await store.close();
    }
  });

  it('is refused without the token or with a wrong one, and nothing reaches Chroma', async () => {
    const refusedBefore = tokenProxy.refused;
    const forwardedBefore = tokenProxy.forwarded.length;
    for (const key of [undefined, 'wrong-token']) {
      const store = ChromaVectorStore.connect(chromaEndpoint(settings(tokenProxy.url, key)));
      const [embedding] = await new LocalEmbedder().embed(['x']);
      await expect(
        store.upsert(randomUUID(), LOCAL_MODEL, [
          { id: randomUUID(), embedding, documentId: randomUUID(), version: 1, chunkIndex: 0 },
        ]),
      ).rejects.toThrow();
      await store.close();
    }
    expect(tokenProxy.refused).toBeGreaterThan(refusedBefore);
    expect(tokenProxy.forwarded.length).toBe(forwardedBefore);
  });

  describe('the rag service configured for it', () => {
    let rag: RagHarness;

    beforeAll(async () => {
      rag = await RagHarness.start({
        CHROMA_URL: bearerProxy.url,
        CHROMA_API_KEY: TOKEN,
        CHROMA_AUTH_HEADER: 'authorization',
        CHROMA_TENANT: chromaTenant,
        CHROMA_DATABASE: chromaDatabase,
      });
    });

    afterAll(async () => {
      await rag?.stop();
    });

    it('ingests and finds a document, and reports Chroma up', async () => {
      const tenantId = await rag.createTenant();
      const document = await rag.call(tenantId, RAG.DOCUMENTS_CREATE, {
        title: 'Lighthouse',
        text: 'The lighthouse on Skerry Point was automated in 1987 after 140 years of keepers.',
      });
      expect((await rag.settled(tenantId, document.id)).status).toBe('completed');
      const { results } = await rag.call(tenantId, RAG.SEARCH, {
        query: 'when was the lighthouse automated',
      });
      expect(results[0]?.document_id).toBe(document.id);
      const name = ChromaVectorStore.collectionName(tenantId, LOCAL_MODEL);
      const inConfigured = new ChromaClient({
        ...local,
        tenant: chromaTenant,
        database: chromaDatabase,
      });
      expect(await (await inConfigured.getCollection({ name })).count()).toBeGreaterThan(0);

      const health = await rag.call(undefined, RAG_DEPENDENCIES, {});
      expect(health.chroma.status).toBe('up');
    });
  });

  it('reports Chroma down to /health when the token is wrong', async () => {
    const rag = await RagHarness.start({
      CHROMA_URL: tokenProxy.url,
      CHROMA_API_KEY: 'wrong-token',
      CHROMA_TENANT: chromaTenant,
      CHROMA_DATABASE: chromaDatabase,
    });
    try {
      const health = await rag.call(undefined, RAG_DEPENDENCIES, {});
      expect(health.chroma.status).toBe('down');
      expect(health.chroma.error).toMatch(/401/);
    } finally {
      await rag.stop();
    }
  });
});
