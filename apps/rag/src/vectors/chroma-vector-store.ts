import { ChromaClient, ChromaNotFoundError, type Collection } from 'chromadb';

import type { Logger } from '@tenantbot/observability';

import { type ChromaEndpoint, localChromaEndpoint } from './chroma-endpoint';
import { ChromaHttp } from './chroma-http';
import { WriteCoalescer } from './write-coalescer';

export interface VectorRecord {
  id: string;
  embedding: number[];
  documentId: string;
  version: number;
  chunkIndex: number;
}

export interface VectorHit {
  id: string;
  distance: number;
}

/** Chroma caps the records of one request; stay well below. */
const WRITE_BATCH = 500;

/**
 * Vectors in Chroma: one collection per tenant and embedding model, named
 * `t_<tenant id without dashes>_<model>`, record ids = chunk ids of the Postgres table.
 *
 * Upserts into one collection are group-committed (see WriteCoalescer): Chroma's cost is
 * mostly per request and grows with the collection, so the chunks of documents ingested at
 * the same time go in a few large requests rather than many small concurrent ones, which
 * Chroma writes several times slower (bench/README.md).
 */
export class ChromaVectorStore {
  private readonly collections = new Map<string, Promise<Collection>>();
  private readonly writers = new Map<string, WriteCoalescer<VectorRecord>>();

  constructor(
    private readonly client: ChromaClient,
    private readonly http: ChromaHttp,
    private readonly logger?: Logger,
  ) {}

  /**
   * A URL alone is a local Chroma without authentication. With a logger, each upsert request
   * is logged at debug level with its size and time.
   */
  static connect(endpoint: ChromaEndpoint | string, logger?: Logger): ChromaVectorStore {
    const target = typeof endpoint === 'string' ? localChromaEndpoint(endpoint) : endpoint;
    const parsed = new URL(target.url);
    const ssl = parsed.protocol === 'https:';
    return new ChromaVectorStore(
      new ChromaClient({
        host: parsed.hostname,
        port: Number(parsed.port || (ssl ? 443 : 80)),
        ssl,
        tenant: target.tenant,
        database: target.database,
        headers: { ...target.headers },
      }),
      new ChromaHttp(target),
      logger,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }

  static collectionName(tenantId: string, model: string): string {
    return `${tenantPrefix(tenantId)}${model.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  }

  upsert(tenantId: string, model: string, records: VectorRecord[]): Promise<void> {
    return this.writer(tenantId, model).add(records);
  }

  async query(
    tenantId: string,
    model: string,
    embedding: number[],
    limit: number,
    documentIds?: string[],
  ): Promise<VectorHit[]> {
    const result = await this.withCollection(tenantId, model, (collection) =>
      this.http.query(collection, {
        query_embeddings: [embedding],
        n_results: limit,
        where: documentIds ? { document_id: { $in: documentIds } } : undefined,
        include: ['distances'],
      }),
    );
    const ids = result.ids[0] ?? [];
    const distances = result.distances?.[0] ?? [];
    return ids.map((id, i) => ({ id, distance: distances[i] ?? Number.POSITIVE_INFINITY }));
  }

  /** The ids of a document's vectors with the version that wrote them. */
  async vectorsOfDocument(
    tenantId: string,
    model: string,
    documentId: string,
  ): Promise<{ id: string; version: number }[]> {
    const result = await this.withCollection(tenantId, model, (collection) =>
      collection.get({ where: { document_id: documentId }, include: ['metadatas'] }),
    );
    return result.ids.map((id, i) => ({ id, version: Number(result.metadatas[i]?.version ?? 0) }));
  }

  async delete(tenantId: string, model: string, ids: string[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    for (let start = 0; start < ids.length; start += WRITE_BATCH) {
      const batch = ids.slice(start, start + WRITE_BATCH);
      await this.withCollection(tenantId, model, (collection) => collection.delete({ ids: batch }));
    }
  }

  /** Removes a document's vectors from every collection of the tenant it may be in. */
  async deleteDocument(tenantId: string, models: string[], documentId: string): Promise<void> {
    for (const model of models) {
      const collection = await this.existingCollection(tenantId, model);
      await collection?.delete({ where: { document_id: documentId } });
    }
  }

  /** Drops every collection of the tenant, whatever model made it. */
  async deleteTenant(tenantId: string): Promise<string[]> {
    const prefix = tenantPrefix(tenantId);
    const names: string[] = [];
    const pageSize = 100;
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.client.listCollections({ limit: pageSize, offset });
      names.push(...page.map((c) => c.name).filter((name) => name.startsWith(prefix)));
      if (page.length < pageSize) {
        break;
      }
    }
    for (const name of names) {
      this.collections.delete(name);
      this.writers.delete(name);
      await this.client.deleteCollection({ name }).catch((error: unknown) => {
        if (!(error instanceof ChromaNotFoundError)) {
          throw error;
        }
      });
    }
    return names;
  }

  async count(tenantId: string, model: string): Promise<number> {
    const collection = await this.existingCollection(tenantId, model);
    return collection ? collection.count() : 0;
  }

  /**
   * Runs an operation on the tenant's collection. A cached collection that another replica
   * dropped meanwhile (its tenant deleted, then recreated by a late job) is looked up again.
   */
  private async withCollection<T>(
    tenantId: string,
    model: string,
    operation: (collection: Collection) => Promise<T>,
  ): Promise<T> {
    try {
      return await operation(await this.collection(tenantId, model));
    } catch (error) {
      if (!(error instanceof ChromaNotFoundError)) {
        throw error;
      }
      this.collections.delete(ChromaVectorStore.collectionName(tenantId, model));
      return operation(await this.collection(tenantId, model));
    }
  }

  private writer(tenantId: string, model: string): WriteCoalescer<VectorRecord> {
    const name = ChromaVectorStore.collectionName(tenantId, model);
    let writer = this.writers.get(name);
    if (!writer) {
      writer = new WriteCoalescer(async (batch) => {
        const started = performance.now();
        await this.withCollection(tenantId, model, (collection) =>
          this.http.upsert(collection, {
            ids: batch.map((record) => record.id),
            embeddings: batch.map((record) => record.embedding),
            metadatas: batch.map((record) => ({
              document_id: record.documentId,
              version: record.version,
              chunk_index: record.chunkIndex,
            })),
          }),
        );
        // The benchmark reads these lines to tell how much of the time Chroma had a write of ours.
        this.logger?.debug(
          { collection: name, records: batch.length, ms: performance.now() - started },
          'vectors upserted',
        );
      }, WRITE_BATCH);
      this.writers.set(name, writer);
    }
    return writer;
  }

  private collection(tenantId: string, model: string): Promise<Collection> {
    const name = ChromaVectorStore.collectionName(tenantId, model);
    let collection = this.collections.get(name);
    if (!collection) {
      collection = this.client.getOrCreateCollection({
        name,
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: { tenant_id: tenantId, model },
      });
      // A failed lookup must not stay cached.
      collection.catch(() => this.collections.delete(name));
      this.collections.set(name, collection);
    }
    return collection;
  }

  private async existingCollection(tenantId: string, model: string): Promise<Collection | null> {
    const name = ChromaVectorStore.collectionName(tenantId, model);
    const cached = this.collections.get(name);
    if (cached) {
      return cached;
    }
    try {
      return await this.client.getCollection({ name });
    } catch (error) {
      if (error instanceof ChromaNotFoundError) {
        return null;
      }
      throw error;
    }
  }
}

function tenantPrefix(tenantId: string): string {
  return `t_${tenantId.replace(/-/g, '').toLowerCase()}_`;
}
