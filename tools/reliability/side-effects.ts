import pg from 'pg';

import { ChromaVectorStore } from '@tenantbot/rag/public-api';

import { sleep } from './infrastructure';
import type { TrafficClient } from './traffic';

export interface SideEffectReport {
  duplicated: number;
  problems: string[];
}

/**
 * Reads what the requests of one scenario left in PostgreSQL and Chroma (as the superuser,
 * past row-level security): exchanges and documents stored twice, exchanges half written,
 * answered requests that left nothing, documents stuck or with missing or extra chunks.
 */
export class SideEffects {
  private readonly pool: pg.Pool;

  constructor(
    databaseUrl: string,
    private readonly vectors: ChromaVectorStore,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Waits until no document of the label is pending or processing; the stuck ones stay listed. */
  async settleDocuments(label: string, limitMs: number): Promise<string[]> {
    const until = Date.now() + limitMs;
    for (;;) {
      const { rows } = await this.pool.query<{ id: string; status: string }>(
        `SELECT id, status FROM documents WHERE title LIKE $1 AND status IN ('pending', 'processing')`,
        [`${label}-%`],
      );
      if (rows.length === 0 || Date.now() > until) {
        return rows.map((row) => row.id);
      }
      await sleep(500);
    }
  }

  async failedDocuments(
    label: string,
  ): Promise<{ id: string; tenant_id: string; error: string }[]> {
    const { rows } = await this.pool.query<{ id: string; tenant_id: string; error: string }>(
      `SELECT id, tenant_id, coalesce(error_code || ': ' || error, '(no reason)') AS error
         FROM documents WHERE title LIKE $1 AND status = 'failed'`,
      [`${label}-%`],
    );
    return rows;
  }

  async check(label: string, client: TrafficClient): Promise<SideEffectReport> {
    const problems: string[] = [];
    const chats = await this.chatExchanges(label);
    const documents = await this.documentCounts(label);
    let duplicated = 0;
    for (const { route, marker, kind } of client.markers) {
      const stored = route === 'upload' ? (documents.get(marker) ?? 0) : (chats.get(marker) ?? 0);
      if (stored > 1) {
        duplicated++;
        problems.push(`${route} ${marker} stored ${stored} times`);
      }
      if (kind === 'ok' && stored === 0) {
        problems.push(`${route} ${marker} answered but not stored`);
      }
    }
    problems.push(...(await this.crossTenantLeaks(client)));
    problems.push(...(await this.halfWrittenConversations(label)));
    problems.push(...(await this.chunkProblems(label)));
    return { duplicated, problems };
  }

  /** Every document a tenant was shown under faults belongs to that tenant. */
  private async crossTenantLeaks(client: TrafficClient): Promise<string[]> {
    const problems: string[] = [];
    for (const [tenantId, shown] of client.documentsShown) {
      const { rows } = await this.pool.query<{ id: string; tenant_id: string }>(
        `SELECT id, tenant_id FROM documents WHERE id = ANY($1::uuid[]) AND tenant_id <> $2`,
        [[...shown], tenantId],
      );
      problems.push(
        ...rows.map((row) => `tenant ${tenantId} was shown document ${row.id} of ${row.tenant_id}`),
      );
    }
    return problems;
  }

  /** Stored user messages per marker. */
  private async chatExchanges(label: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ marker: string; count: string }>(
      `SELECT split_part(content, ':', 1) AS marker, count(*) AS count
         FROM messages WHERE role = 'user' AND content LIKE $1 GROUP BY 1`,
      [`${label}-%`],
    );
    return new Map(rows.map((row) => [row.marker, Number(row.count)]));
  }

  private async documentCounts(label: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ title: string; count: string }>(
      `SELECT title, count(*) AS count FROM documents WHERE title LIKE $1 GROUP BY title`,
      [`${label}-%`],
    );
    return new Map(rows.map((row) => [row.title, Number(row.count)]));
  }

  private async halfWrittenConversations(label: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ conversation_id: string }>(
      `SELECT conversation_id FROM messages
        WHERE conversation_id IN (
          SELECT conversation_id FROM messages WHERE role = 'user' AND content LIKE $1)
        GROUP BY conversation_id
       HAVING count(*) FILTER (WHERE role = 'user') <> count(*) FILTER (WHERE role = 'assistant')`,
      [`${label}-%`],
    );
    return rows.map((row) => `conversation ${row.conversation_id} is half written`);
  }

  /** Completed documents: chunk rows = chunk_count, one row per index, one vector per row. */
  private async chunkProblems(label: string): Promise<string[]> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant_id: string;
      embedding_model: string;
      chunk_count: number;
      rows: string;
      indexes: string;
    }>(
      `SELECT d.id, d.tenant_id, d.embedding_model, d.chunk_count,
              count(c.id) AS rows, count(DISTINCT c.chunk_index) AS indexes
         FROM documents d LEFT JOIN chunks c ON c.document_id = d.id
        WHERE d.title LIKE $1 AND d.status = 'completed'
        GROUP BY d.id`,
      [`${label}-%`],
    );
    const problems: string[] = [];
    for (const document of rows) {
      const vectors = await this.vectors.vectorsOfDocument(
        document.tenant_id,
        document.embedding_model,
        document.id,
      );
      const chunkRows = Number(document.rows);
      if (
        chunkRows !== document.chunk_count ||
        Number(document.indexes) !== chunkRows ||
        vectors.length !== chunkRows
      ) {
        problems.push(
          `document ${document.id}: chunk_count ${document.chunk_count}, ${chunkRows} chunk rows ` +
            `(${document.indexes} indexes), ${vectors.length} vectors in Chroma`,
        );
      }
    }
    return problems;
  }
}
