import { Inject, Injectable } from '@nestjs/common';

import { DomainError, ErrorCode } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { chunkId } from '../chunks/chunk-id';
import { type Chunk, Chunker, type TextSection } from '../chunks/chunker';
import type { RagConfig } from '../config/rag-config';
import { RAG_CONFIG, RAG_LOGGER } from '../config/tokens';
import { type Embedder, EmbeddingProviderError } from '../embeddings/embedder';
import { EmbedderRegistry } from '../embeddings/embedder-registry';
import { ChromaVectorStore } from '../vectors/chroma-vector-store';
import { DocumentFailure } from './document-failure';
import type { ExtractionResult } from './extraction/extraction-types';
import { SandboxedExtractor } from './extraction/sandboxed-extractor';
import { IngestionRepository, type StartedDocument } from './ingestion.repository';
import type { IngestionJobData } from './ingestion-job';
import { type LoadedSource, SourceLoader } from './source-loader';

export interface Attempt {
  number: number;
  last: boolean;
}

interface ExtractedDocument {
  sections: TextSection[];
  title: string | null;
  pages: number | null;
}

type IdentifiedChunk = Chunk & { id: string };

/**
 * One ingestion of one document version: load the source, extract its text in the sandbox,
 * chunk, embed, write the vectors to Chroma, then swap the chunks in Postgres and complete the
 * document in one transaction. Every step is idempotent (chunk ids derive from document,
 * version and position), so a job killed anywhere and run again ends with exactly one copy.
 */
@Injectable()
export class IngestionPipeline {
  constructor(
    private readonly documents: IngestionRepository,
    private readonly sources: SourceLoader,
    private readonly extractor: SandboxedExtractor,
    private readonly embedders: EmbedderRegistry,
    private readonly vectors: ChromaVectorStore,
    @Inject(RAG_CONFIG) private readonly config: RagConfig,
    @Inject(RAG_LOGGER) private readonly logger: Logger,
  ) {}

  /** Throws only to be retried; every final outcome is written to the document. */
  async run(job: IngestionJobData, attempt: Attempt): Promise<void> {
    const document = await this.documents.startProcessing(
      job.tenantId,
      job.documentId,
      job.version,
    );
    if (!document) {
      return;
    } // deleted or reprocessed meanwhile: nothing to do
    try {
      await this.ingest(job, document);
    } catch (error) {
      const failure = asFailure(error);
      if (failure.retryable && !attempt.last) {
        this.logger.warn(
          { document_id: job.documentId, attempt: attempt.number, err: error },
          'ingestion attempt failed; retrying with backoff',
        );
        throw error;
      }
      const message = failure.retryable
        ? `gave up after ${attempt.number} attempts: ${failure.message}`
        : failure.message;
      await this.fail(job, { code: failure.code, message });
    }
  }

  /** BullMQ gave the job up outside `run` (its workers kept dying): the document fails too. */
  async abandon(job: IngestionJobData, reason: string): Promise<void> {
    await this.fail(job, { code: 'INGESTION_FAILED', message: `ingestion stopped: ${reason}` });
  }

  private async ingest(job: IngestionJobData, document: StartedDocument): Promise<void> {
    const timings = new StageTimer();
    const source = await timings.time('load', () => this.sources.load(document));
    const results = await timings.time('extract', () => this.extractor.extract(source.inputs));
    const extracted = this.assemble(source, results);
    const chunks = new Chunker({
      size: job.settings.chunk_size,
      overlap: job.settings.chunk_overlap,
    })
      .split(extracted.sections)
      .map((chunk) => ({ ...chunk, id: chunkId(job.documentId, job.version, chunk.index) }));
    if (chunks.length === 0) {
      throw noText(source);
    }

    const embedder = this.embedders.for(job.settings.embedding_provider);
    await timings.time('embed', () => this.storeVectors(job, embedder, chunks));
    // The first start of a document's first version has nothing stale to remove; that spares
    // every new document a Chroma read and deletes.
    if (job.version > 1 || document.previous_status !== 'pending') {
      await timings.time('clean', () => this.removeStaleVectors(job, embedder.model, chunks));
    }
    const completed = await timings.time('commit', () =>
      this.documents.complete(job.tenantId, job.documentId, job.version, {
        type: source.type,
        title: extracted.title,
        pages: extracted.pages,
        bytes: document.source === 'file' ? null : source.bytes,
        embeddingModel: embedder.model,
        chunks,
      }),
    );
    if (!completed) {
      await this.vectors.delete(
        job.tenantId,
        embedder.model,
        chunks.map((chunk) => chunk.id),
      );
    }
    this.logger.info(
      {
        document_id: job.documentId,
        version: job.version,
        chunks: chunks.length,
        ms: timings.stages,
      },
      completed ? 'document ingested' : 'document superseded while ingesting',
    );
  }

  /** Extraction results as sections: PDF pages keep their numbers, crawled pages get theirs. */
  private assemble(source: LoadedSource, results: ExtractionResult[]): ExtractedDocument {
    const extracted = results.flatMap((result, i) =>
      result.ok ? [{ ...result.extraction, sourceUrl: source.inputs[i].sourceUrl }] : [],
    );
    const failure = results.find((result) => !result.ok);
    // A crawl keeps the pages that could be read; a single document has nothing else.
    if (extracted.length === 0 && failure && !failure.ok) {
      throw new DocumentFailure(failure.code, failure.message);
    }
    const sections = extracted.flatMap((extraction, i) =>
      extraction.pages.map((page) => ({
        text: page.text.replaceAll('\u0000', ''),
        page: source.crawled ? i + 1 : page.page,
        sourceUrl: extraction.sourceUrl,
      })),
    );
    return {
      sections,
      title: extracted[0]?.title ?? null,
      pages: source.crawled ? extracted.length : (extracted[0]?.pageCount ?? null),
    };
  }

  /** Embeds and upserts batch by batch, so a long document makes progress that a retry keeps. */
  private async storeVectors(job: IngestionJobData, embedder: Embedder, chunks: IdentifiedChunk[]) {
    const batchSize = this.config.EMBEDDING_BATCH_SIZE;
    for (let start = 0; start < chunks.length; start += batchSize) {
      const batch = chunks.slice(start, start + batchSize);
      const embeddings = await embedder.embed(batch.map(embeddingText));
      await this.vectors.upsert(
        job.tenantId,
        embedder.model,
        batch.map((chunk, i) => ({
          id: chunk.id,
          embedding: embeddings[i],
          documentId: job.documentId,
          version: job.version,
          chunkIndex: chunk.index,
        })),
      );
    }
  }

  /**
   * Vectors of older versions, of this version beyond its chunk count, and of other embedding
   * models go; a newer version's (being written by a newer job) are never touched.
   */
  private async removeStaleVectors(
    job: IngestionJobData,
    model: string,
    chunks: IdentifiedChunk[],
  ) {
    const current = new Set(chunks.map((chunk) => chunk.id));
    const stale = (await this.vectors.vectorsOfDocument(job.tenantId, model, job.documentId))
      .filter(
        ({ id, version }) => version < job.version || (version === job.version && !current.has(id)),
      )
      .map(({ id }) => id);
    await this.vectors.delete(job.tenantId, model, stale);
    const otherModels = this.embedders.models().filter((other) => other !== model);
    await this.vectors.deleteDocument(job.tenantId, otherModels, job.documentId);
  }

  private async fail(
    job: IngestionJobData,
    failure: { code: DocumentFailure['code']; message: string },
  ) {
    const failed = await this.documents.fail(job.tenantId, job.documentId, job.version, failure);
    if (failed) {
      await this.vectors.deleteDocument(job.tenantId, this.embedders.models(), job.documentId);
    }
    this.logger.info(
      { document_id: job.documentId, version: job.version, code: failure.code },
      `document failed: ${failure.message}`,
    );
  }
}

/** Milliseconds spent in each stage of one ingestion, for the log. */
class StageTimer {
  readonly stages: Record<string, number> = {};

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.stages[stage] = Math.round(performance.now() - started);
    }
  }
}

/** Headings give a chunk its context: "Refunds > Exceptions" says what "14 days" is about. */
function embeddingText(chunk: Chunk): string {
  return chunk.headingPath.length > 0
    ? `${chunk.headingPath.join(' > ')}\n\n${chunk.text}`
    : chunk.text;
}

function noText(source: LoadedSource): DocumentFailure {
  return new DocumentFailure(
    'NO_TEXT_FOUND',
    source.type === 'pdf'
      ? 'the PDF has no text layer: it looks scanned (pages are images). OCR is not supported; ' +
          'upload a PDF with selectable text, or the text itself'
      : 'the document contains no text',
  );
}

function asFailure(error: unknown): DocumentFailure {
  if (error instanceof DocumentFailure) {
    return error;
  }
  if (error instanceof EmbeddingProviderError) {
    return new DocumentFailure('EMBEDDING_FAILED', error.message, error.retryable);
  }
  if (error instanceof DomainError) {
    const code =
      error.code === ErrorCode.FEATURE_DISABLED ? 'EMBEDDING_FAILED' : 'INGESTION_FAILED';
    return new DocumentFailure(code, error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DocumentFailure('INGESTION_FAILED', message, true);
}
