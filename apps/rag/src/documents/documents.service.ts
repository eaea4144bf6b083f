import { createHash, randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import {
  type Caller,
  type CreateDocumentRequest,
  type DeleteDocumentReply,
  type DocumentPage,
  type DocumentView,
  DomainError,
  ErrorCode,
  type ListDocumentsRequest,
  type ReprocessDocumentRequest,
  type TenantId,
  type TextSource,
  type UpdateDocumentRequest,
  type UploadedFileSource,
  type WebSource,
} from '@tenantbot/contracts';
import { documentObjectKey, type ObjectStorage } from '@tenantbot/object-storage';

import { CURATORS, READERS, requireRole } from '../common/access';
import { type ResolvedRagSettings, resolveSettings } from '../common/rag-settings';
import type { RagConfig } from '../config/rag-config';
import { OBJECT_STORAGE, RAG_CONFIG } from '../config/tokens';
import { EmbedderRegistry } from '../embeddings/embedder-registry';
import { IngestionQueue } from '../ingestion/ingestion-queue';
import { ChromaVectorStore } from '../vectors/chroma-vector-store';
import { toDocumentView } from './document-view';
import { type DocumentRow, DocumentsRepository, type NewDocument } from './documents.repository';

/**
 * The documents of a tenant. Creating or reprocessing answers at once with the document
 * `pending`; the ingestion job does the rest. Deleting removes the row (and its chunks), the
 * vectors, the stored file and any queued job: nothing is left behind.
 */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly queue: IngestionQueue,
    private readonly vectors: ChromaVectorStore,
    private readonly embedders: EmbedderRegistry,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
  ) {}

  async create(caller: Caller, request: CreateDocumentRequest): Promise<DocumentView> {
    requireRole(caller, CURATORS);
    const { tenantId } = caller;
    const settings = resolveSettings(request.settings, this.embedders.defaultProvider);
    this.embedders.for(settings.embedding_provider); // refuses a provider that is not configured
    const document =
      'document_id' in request
        ? this.uploadedFile(tenantId, request, settings)
        : 'url' in request
          ? this.webPage(caller, request, settings)
          : await this.pastedText(caller, request, settings);
    const { row, created } = await this.documents.insert(tenantId, {
      ...document,
      tags: request.tags,
    });
    if (!row) {
      throw new DomainError(ErrorCode.CONFLICT, `document id ${document.id} is already taken`);
    }
    // A retried create (same document id) answers with the document as it is now.
    if (created) {
      await this.enqueue(tenantId, row);
    }
    return toDocumentView(row);
  }

  async list(caller: Caller, request: ListDocumentsRequest): Promise<DocumentPage> {
    requireRole(caller, READERS);
    const { rows, total } = await this.documents.list(caller.tenantId, request);
    return { items: rows.map(toDocumentView), total, limit: request.limit, offset: request.offset };
  }

  async get(caller: Caller, id: string): Promise<DocumentView> {
    requireRole(caller, READERS);
    return toDocumentView(orNotFound(await this.documents.find(caller.tenantId, id), id));
  }

  /** Its tags, at once: what assistants scoped by tag may cite changes with the next question. */
  async update(caller: Caller, request: UpdateDocumentRequest): Promise<DocumentView> {
    requireRole(caller, CURATORS);
    return toDocumentView(
      orNotFound(
        await this.documents.setTags(caller.tenantId, request.id, request.tags),
        request.id,
      ),
    );
  }

  async delete(caller: Caller, id: string): Promise<DeleteDocumentReply> {
    requireRole(caller, CURATORS);
    const { tenantId } = caller;
    const found = orNotFound(await this.documents.find(tenantId, id), id);
    // The file first: should anything after it fail, the document is still there to delete again.
    if (found.storage_key) {
      await this.storage.delete(found.storage_key);
    }
    const row = orNotFound(await this.documents.delete(tenantId, id), id);
    await this.queue.cancel(tenantId, id, row.version);
    // The vectors after the row: a job still running then finds its version gone at its final
    // transaction and removes the vectors it wrote itself.
    await this.vectors.deleteDocument(tenantId, this.embedders.models(), id);
    return { id, deleted: true };
  }

  async reprocess(caller: Caller, request: ReprocessDocumentRequest): Promise<DocumentView> {
    requireRole(caller, CURATORS);
    const { tenantId } = caller;
    const settings = resolveSettings(request.settings, this.embedders.defaultProvider);
    this.embedders.for(settings.embedding_provider);
    const row = orNotFound(
      await this.documents.nextVersion(tenantId, request.id, settings),
      request.id,
    );
    await this.queue.cancel(tenantId, row.id, row.version - 1);
    await this.enqueue(tenantId, row);
    return toDocumentView(row);
  }

  private uploadedFile(
    tenantId: TenantId,
    request: UploadedFileSource,
    settings: ResolvedRagSettings,
  ): NewDocument {
    const expectedKey = documentObjectKey(tenantId, request.document_id);
    if (request.storage_key !== expectedKey) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, `storage_key must be ${expectedKey}`, [
        { field: 'storage_key', message: 'must be <tenant id>/<document id>' },
      ]);
    }
    this.assertSize(request.bytes);
    return {
      id: request.document_id,
      source: 'file',
      filename: request.filename,
      contentType: request.content_type ?? null,
      bytes: request.bytes,
      storageKey: expectedKey,
      settings,
    };
  }

  private webPage(caller: Caller, request: WebSource, settings: ResolvedRagSettings): NewDocument {
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DomainError(ErrorCode.URL_NOT_ALLOWED, 'only http and https URLs can be ingested');
    }
    if (url.username || url.password) {
      throw new DomainError(ErrorCode.URL_NOT_ALLOWED, 'URLs with credentials cannot be ingested');
    }
    return {
      id: documentIdOf(caller, request),
      source: request.crawl ? 'crawl' : 'url',
      url: url.toString(),
      crawl: request.crawl
        ? {
            max_pages: Math.min(request.crawl.max_pages, this.config.WEB_CRAWL_MAX_PAGES),
            max_depth: Math.min(request.crawl.max_depth, this.config.WEB_CRAWL_MAX_DEPTH),
          }
        : null,
      settings,
    };
  }

  private async pastedText(
    caller: Caller,
    request: TextSource,
    settings: ResolvedRagSettings,
  ): Promise<NewDocument> {
    const id = documentIdOf(caller, request);
    const storageKey = documentObjectKey(caller.tenantId, id);
    const { bytes } = await this.storage.put(storageKey, Buffer.from(request.text, 'utf8'), {
      maxBytes: this.config.MAX_DOCUMENT_BYTES,
      contentType: 'text/plain; charset=utf-8',
    });
    return { id, source: 'text', title: request.title, bytes, storageKey, settings };
  }

  private async enqueue(tenantId: TenantId, row: DocumentRow): Promise<void> {
    try {
      await this.queue.enqueue({
        tenantId,
        documentId: row.id,
        version: row.version,
        settings: row.settings,
      });
    } catch (error) {
      // Without its job the document would stay pending for ever: undo, and say so.
      if (row.version === 1) {
        await this.documents.delete(tenantId, row.id).catch(() => undefined);
        if (row.storage_key && row.source === 'text') {
          await this.storage.delete(row.storage_key).catch(() => undefined);
        }
      }
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        `the ingestion queue is unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private assertSize(bytes: number): void {
    if (bytes > this.config.MAX_DOCUMENT_BYTES) {
      throw new DomainError(
        ErrorCode.DOCUMENT_TOO_LARGE,
        `the document is larger than ${this.config.MAX_DOCUMENT_BYTES} bytes`,
        { max_bytes: this.config.MAX_DOCUMENT_BYTES },
      );
    }
  }
}

/**
 * The id of a document created from a URL or pasted text: derived from the transport request
 * (its id travels with every delivery) and what it asks for. A request run again after its
 * replica died between storing the row and replying (the transport then hands it to another
 * replica) finds its own row and answers with it instead of creating the document twice.
 * Uploaded files get their id from the gateway, with the same effect.
 */
function documentIdOf({ tenantId, requestId }: Caller, request: WebSource | TextSource): string {
  if (!requestId) {
    return randomUUID();
  }
  const asked =
    'url' in request
      ? { url: request.url, crawl: request.crawl }
      : { title: request.title, text: request.text };
  const digest = createHash('sha256')
    .update(`${tenantId}\0${requestId}\0${JSON.stringify(asked)}`)
    .digest('hex');
  // Laid out as a version-5-style UUID (name-based), as Postgres' uuid type expects.
  return [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `5${digest.slice(13, 16)}`,
    `${((parseInt(digest[16], 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
}

function orNotFound(row: DocumentRow | undefined, id: string): DocumentRow {
  if (!row) {
    throw new DomainError(ErrorCode.DOCUMENT_NOT_FOUND, `no document ${id}`);
  }
  return row;
}
