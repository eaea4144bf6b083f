import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { type DocumentView, RAG, type ReplyOf, type RequestPattern } from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';
import { TestStack } from '@tenantbot/testing';
import type { RedisStreamsClient, RequestArgs } from '@tenantbot/transport';

import { LocalEmbedder } from '../../src/embeddings/local-embedder';
import { ChromaVectorStore } from '../../src/vectors/chroma-vector-store';

export const LOCAL_MODEL = 'local-hash-512';

/**
 * The built rag service as a process (TestStack) on a database and Redis prefix of its own and
 * Chroma, with its own files directory; a transport client that calls it as a tenant; and an
 * owner connection to look at (and set up) rows behind row-level security.
 */
export class RagHarness {
  private constructor(
    readonly stack: TestStack,
    readonly client: RedisStreamsClient,
    readonly owner: pg.Client,
    readonly filesDir: string,
    readonly vectors: ChromaVectorStore,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<RagHarness> {
    const filesDir = await mkdtemp(join(tmpdir(), 'tenantbot-rag-files-'));
    const stack = await TestStack.start({
      services: ['rag'],
      gateway: false,
      env: {
        FILES_DIR: filesDir,
        INGESTION_BACKOFF_MS: '200',
        INGESTION_LOCK_MS: '2000',
        ...env,
      },
    });
    const client = stack.transportClient({ timeoutMs: 8000 }); // ingestion calls can be slow
    await client.connect();
    const owner = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await owner.connect();
    const vectors = ChromaVectorStore.connect(process.env.CHROMA_URL ?? 'http://127.0.0.1:8000');
    return new RagHarness(stack, client, owner, filesDir, vectors);
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.owner.end(); // before the stack drops its database
    await this.stack.stop();
    await this.vectors.close();
    await rm(this.filesDir, { recursive: true, force: true });
  }

  async createTenant(name = 'Tenant'): Promise<string> {
    const slug = `t-${randomUUID().slice(0, 8)}`;
    const { rows } = await this.owner.query<{ id: string }>(
      `INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`,
      [name, slug],
    );
    return rows[0].id;
  }

  /** Calls the rag service as the gateway would for a tenant admin's request of this tenant. */
  call<P extends RequestPattern>(
    tenantId: string | undefined,
    pattern: P,
    ...args: RequestArgs<P>
  ): Promise<ReplyOf<P>> {
    return runWithContext(tenantAdminContext(tenantId), () =>
      this.client.request(pattern, ...args),
    );
  }

  /**
   * For tests of refused input only: sends a body the message map forbids (a wrong field, a
   * missing one), as a caller that bypasses the gateway could. The reply is not typed.
   */
  callUnchecked(tenantId: string | undefined, pattern: string, payload: unknown): Promise<unknown> {
    return runWithContext(tenantAdminContext(tenantId), () =>
      this.client.requestUnchecked(pattern, payload),
    );
  }

  /** Polls the document until it is completed or failed. */
  async settled(tenantId: string, id: string, timeoutMs = 15_000): Promise<DocumentView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const document = await this.call(tenantId, RAG.DOCUMENTS_GET, { id });
      if (document.status === 'completed' || document.status === 'failed') {
        return document;
      }
      if (Date.now() > until) {
        throw new Error(`document ${id} still ${document.status} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async chunkRows(
    documentId: string,
  ): Promise<{ id: string; version: number; chunk_index: number }[]> {
    const { rows } = await this.owner.query<{ id: string; version: number; chunk_index: number }>(
      `SELECT id, version, chunk_index FROM chunks WHERE document_id = $1 ORDER BY chunk_index`,
      [documentId],
    );
    return rows;
  }

  async vectorIds(tenantId: string, documentId: string, model = LOCAL_MODEL): Promise<string[]> {
    const vectors = await this.vectors.vectorsOfDocument(tenantId, model, documentId);
    return vectors.map((vector) => vector.id).sort();
  }

  /**
   * Writes vectors with these ids straight into a tenant's collection, each equal to the given
   * query's embedding so that they rank first: what a crash or a bug could leave behind.
   */
  async plantVectors(
    tenantId: string,
    ids: string[],
    query: string,
    documentId: string = randomUUID(),
  ) {
    const [embedding] = await new LocalEmbedder().embed([query]);
    await this.vectors.upsert(
      tenantId,
      LOCAL_MODEL,
      ids.map((id, chunkIndex) => ({ id, embedding, documentId, version: 1, chunkIndex })),
    );
  }
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as { code?: string }).code === code) {
      return;
    }
    throw new Error(`expected ${code}, got ${String((error as Error).message ?? error)}`);
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

/** The request context the gateway sends for a tenant admin of this tenant. */
export function tenantAdminContext(tenantId: string | undefined, requestId = randomUUID()) {
  return {
    requestId,
    tenantId,
    principal: { userId: '00000000-0000-4000-8000-00000000ad01', role: 'tenant_admin' as const },
  };
}
