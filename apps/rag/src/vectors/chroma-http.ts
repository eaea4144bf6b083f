import { ChromaNotFoundError, type Collection } from 'chromadb';
import { Pool } from 'undici';

import { type ChromaEndpoint, localChromaEndpoint } from './chroma-endpoint';
import { jsonWithVectors } from './vector-json';

export interface RecordsBody {
  ids: string[];
  embeddings: number[][];
  metadatas: Record<string, string | number>[];
}

export interface QueryBody {
  query_embeddings: number[][];
  n_results: number;
  where?: Record<string, unknown>;
  include: 'distances'[];
}

export interface QueryAnswer {
  ids: string[][];
  distances: (number | null)[][] | null;
}

/**
 * Chroma's two hot calls, upsert (every ingestion) and query (every search), sent straight to
 * its v2 REST API with undici (ADR 5). The chromadb client sends each request through WHATWG
 * fetch and a JSON replacer, which cost 2–3 ms of CPU per call here, more than Chroma's own
 * work for a query; this costs about 0.5 ms. Collections are still found, created and dropped
 * by the client, which hands over the ids used here.
 */
export class ChromaHttp {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  /** A URL alone is a local Chroma without authentication. */
  constructor(endpoint: ChromaEndpoint | string) {
    const target = typeof endpoint === 'string' ? localChromaEndpoint(endpoint) : endpoint;
    this.pool = new Pool(new URL(target.url).origin, { connections: 16, pipelining: 1 });
    this.headers = { ...target.headers, 'content-type': 'application/json' };
  }

  async upsert(collection: Collection, records: RecordsBody): Promise<void> {
    await this.post(collection, 'upsert', recordsJson(records));
  }

  /** Adds new records (the service upserts; the benchmark's raw baseline adds). */
  async add(collection: Collection, records: RecordsBody): Promise<void> {
    await this.post(collection, 'add', recordsJson(records));
  }

  query(collection: Collection, { query_embeddings, ...rest }: QueryBody): Promise<QueryAnswer> {
    return this.post<QueryAnswer>(
      collection,
      'query',
      jsonWithVectors(rest, 'query_embeddings', query_embeddings),
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async post<T>(collection: Collection, operation: string, body: Buffer): Promise<T> {
    const path =
      `/api/v2/tenants/${encodeURIComponent(collection.tenant)}` +
      `/databases/${encodeURIComponent(collection.database)}` +
      `/collections/${encodeURIComponent(collection.id)}/${operation}`;
    const response = await this.pool.request({
      path,
      method: 'POST',
      headers: this.headers,
      body,
    });
    if (response.statusCode < 300) {
      return (await response.body.json()) as T;
    }
    const reason = await response.body.text();
    // A collection dropped meanwhile (its tenant deleted) answers 404, as through the client.
    if (response.statusCode === 404) {
      throw new ChromaNotFoundError(reason);
    }
    throw new Error(`Chroma ${operation} answered ${response.statusCode}: ${reason}`);
  }
}

function recordsJson({ embeddings, ...rest }: RecordsBody): Buffer {
  return jsonWithVectors(rest, 'embeddings', embeddings);
}
