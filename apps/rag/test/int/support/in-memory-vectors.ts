import type { VectorHit, VectorRecord } from '../../../src/vectors/chroma-vector-store';

/**
 * Chroma's part of the vector store, in memory: the in-process tier runs on Postgres and Redis
 * alone. Collections are keyed by tenant and model, as Chroma's are.
 */
export class InMemoryVectors {
  private readonly collections = new Map<string, Map<string, VectorRecord>>();

  async upsert(tenantId: string, model: string, records: VectorRecord[]): Promise<void> {
    const collection = this.collection(tenantId, model);
    for (const record of records) {
      collection.set(record.id, record);
    }
  }

  async query(
    tenantId: string,
    model: string,
    embedding: number[],
    limit: number,
    documentIds?: string[],
  ): Promise<VectorHit[]> {
    return [...this.collection(tenantId, model).values()]
      .filter((record) => !documentIds || documentIds.includes(record.documentId))
      .map((record) => ({ id: record.id, distance: 1 - dot(record.embedding, embedding) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, limit);
  }

  async vectorsOfDocument(tenantId: string, model: string, documentId: string) {
    return [...this.collection(tenantId, model).values()]
      .filter((record) => record.documentId === documentId)
      .map(({ id, version }) => ({ id, version }));
  }

  async delete(tenantId: string, model: string, ids: string[]): Promise<void> {
    const collection = this.collection(tenantId, model);
    for (const id of ids) {
      collection.delete(id);
    }
  }

  async deleteDocument(tenantId: string, models: string[], documentId: string): Promise<void> {
    for (const model of models) {
      const collection = this.collection(tenantId, model);
      for (const [id, record] of collection) {
        if (record.documentId === documentId) {
          collection.delete(id);
        }
      }
    }
  }

  async deleteTenant(tenantId: string): Promise<string[]> {
    const names = [...this.collections.keys()].filter((name) => name.startsWith(`${tenantId}/`));
    for (const name of names) {
      this.collections.delete(name);
    }
    return names;
  }

  async count(tenantId: string, model: string): Promise<number> {
    return this.collection(tenantId, model).size;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private collection(tenantId: string, model: string): Map<string, VectorRecord> {
    const name = `${tenantId}/${model}`;
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new Map();
      this.collections.set(name, collection);
    }
    return collection;
  }
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
}
