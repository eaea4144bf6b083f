import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

import {
  createDocumentBodySchema,
  type DocumentPage,
  documentPageSchema,
  type DocumentRef,
  documentRefSchema,
  type DocumentView,
  documentViewSchema,
  ErrorCode,
  evaluationBodySchema,
  type EvaluationReply,
  evaluationReplySchema,
  type ListDocumentsRequest,
  listDocumentsRequestSchema,
  MAX_EVALUATION_QUESTIONS,
  parseOrThrow,
  RAG,
  searchBodySchema,
  type SearchReply,
  searchReplySchema,
  updateDocumentBodySchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';
import { IngestionRateLimit } from '../rate-limit/rate-limit.guard';
import { DocumentUploads } from './document-uploads.service';

const CURATORS = ['super_admin', 'tenant_admin'] as const;
const READERS = ['super_admin', 'tenant_admin', 'agent'] as const;
/** An evaluation runs one search per question, one after the other. */
const EVALUATION_TIMEOUT_MS = 60_000;

const DOCUMENT_EXAMPLE = {
  id: '0b8e7f52-3c1d-4a6e-9b2f-5d4c3a2b1e00',
  source: 'text',
  type: 'txt',
  filename: null,
  url: null,
  title: 'Refund policy',
  content_type: 'text/plain',
  status: 'pending',
  error: null,
  pages: null,
  chunk_count: 0,
  bytes: 46,
  version: 1,
  embedding_model: null,
  created_at: '2026-05-04T09:30:00.000Z',
  updated_at: '2026-05-04T09:30:00.000Z',
  processed_at: null,
};

@ApiTags('rag')
@Controller('api/v1/rag')
export class RagController {
  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly uploads: DocumentUploads,
  ) {}

  @Post('documents')
  @Roles(...CURATORS)
  @HttpCode(202)
  @IngestionRateLimit()
  @ApiOperation({
    summary: 'Add a document: a file, one web page, a crawled site, or text',
    description:
      'multipart `file` (PDF, TXT, Markdown, HTML, DOCX, CSV; type checked by content: 415 otherwise; ' +
      'larger than MAX_DOCUMENT_BYTES: 413 DOCUMENT_TOO_LARGE; one file per upload, else 400 TOO_MANY_PARTS; ' +
      'a cut-off or malformed body: 400 MALFORMED_MULTIPART; no `file` part: 400 VALIDATION_FAILED), ' +
      'or JSON `{url}`, `{url, crawl: {max_pages, ' +
      'max_depth}}` or `{title, text}`. Answers 202 with the document `pending`; ingestion runs in the background. ' +
      '`tags` (what assistants scope their knowledge by): a JSON array, or the multipart field `tags` ' +
      '(comma-separated or repeated) sent before the `file` part.',
  })
  @ApiInput({
    body: createDocumentBodySchema,
    multipart: { files: ['file'] },
    example: { title: 'Refund policy', text: 'Customers may return any item within 30 days.' },
  })
  @ApiReply(documentViewSchema, { example: DOCUMENT_EXAMPLE })
  @ApiErrors(
    ErrorCode.TENANT_REQUIRED,
    ErrorCode.DOCUMENT_TOO_LARGE,
    ErrorCode.UNSUPPORTED_DOCUMENT_TYPE,
    ErrorCode.TOO_MANY_PARTS,
    ErrorCode.MALFORMED_MULTIPART,
    ErrorCode.URL_NOT_ALLOWED,
  )
  create(@Req() request: FastifyRequest): Promise<DocumentView> {
    if (request.isMultipart()) {
      return this.uploads.ingest(request.requestContext, request.files(), request.tenantRag);
    }
    const body = parseOrThrow(createDocumentBodySchema, request.body);
    return this.transport.request(RAG.DOCUMENTS_CREATE, { ...body, settings: request.tenantRag });
  }

  @Get('documents')
  @Roles(...READERS)
  @ApiOperation({ summary: 'List documents, filtered by status, type, source or tag; paginated' })
  @ApiReply(documentPageSchema)
  list(
    @Query(new ZodPipe(listDocumentsRequestSchema)) query: ListDocumentsRequest,
  ): Promise<DocumentPage> {
    return this.transport.request(RAG.DOCUMENTS_LIST, query);
  }

  @Get('documents/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A document: status, error, pages, chunk count, bytes, timestamps' })
  @ApiReply(documentViewSchema, { example: DOCUMENT_EXAMPLE })
  @ApiErrors(ErrorCode.DOCUMENT_NOT_FOUND)
  get(@Param(new ZodPipe(documentRefSchema)) params: DocumentRef): Promise<DocumentView> {
    return this.transport.request(RAG.DOCUMENTS_GET, params);
  }

  @Patch('documents/:id')
  @Roles(...CURATORS)
  @ApiOperation({
    summary: "Change a document's tags",
    description:
      '`{tags}` replaces them (lower-cased, at most 20). Assistants scoped by tag cite the ' +
      'document, or stop citing it, from the next question on; nothing is re-indexed.',
  })
  @ApiReply(documentViewSchema)
  @ApiErrors(ErrorCode.DOCUMENT_NOT_FOUND)
  update(
    @Param(new ZodPipe(documentRefSchema)) params: DocumentRef,
    @Body(new ZodPipe(updateDocumentBodySchema)) body: z.output<typeof updateDocumentBodySchema>,
  ): Promise<DocumentView> {
    return this.transport.request(RAG.DOCUMENTS_UPDATE, { id: params.id, ...body });
  }

  @Delete('documents/:id')
  @Roles(...CURATORS)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document: its stored file, chunks and vectors' })
  @ApiReply()
  @ApiErrors(ErrorCode.DOCUMENT_NOT_FOUND)
  async delete(@Param(new ZodPipe(documentRefSchema)) params: DocumentRef): Promise<void> {
    await this.transport.request(RAG.DOCUMENTS_DELETE, params);
  }

  @Post('documents/:id/reprocess')
  @Roles(...CURATORS)
  @HttpCode(202)
  @IngestionRateLimit()
  @ApiOperation({
    summary: "Ingest the document again (a new version) with the tenant's current settings",
  })
  @ApiReply(documentViewSchema)
  @ApiErrors(ErrorCode.DOCUMENT_NOT_FOUND, ErrorCode.CONFLICT)
  reprocess(
    @Req() request: FastifyRequest,
    @Param(new ZodPipe(documentRefSchema)) params: DocumentRef,
  ): Promise<DocumentView> {
    return this.transport.request(RAG.DOCUMENTS_REPROCESS, {
      id: params.id,
      settings: request.tenantRag,
    });
  }

  @Post('search')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Hybrid search (BM25 full text + vectors, weighted rank fusion) over the tenant’s chunks',
    description:
      'The query is read as plain words (no operator syntax; any text is accepted). Each result ' +
      'carries its citation (document, filename or URL, page, heading path, text), a fusion `score` ' +
      'and a `relevance` from 0 to 1 (the IDF-weighted share of the query’s terms it holds); ' +
      '`no_relevant_context` is true when no result reaches SEARCH_RELEVANCE_THRESHOLD.',
  })
  @ApiInput({ example: { query: 'how long do refunds take', top_k: 5 } })
  @ApiReply(searchReplySchema)
  search(
    @Req() request: FastifyRequest,
    @Body(new ZodPipe(searchBodySchema)) body: z.output<typeof searchBodySchema>,
  ): Promise<SearchReply> {
    return this.transport.request(RAG.SEARCH, { ...body, settings: request.tenantRag });
  }

  @Post('evaluations')
  @Roles(...CURATORS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Measure retrieval on your own questions: hit@1, hit@k, MRR, and which missed',
    description:
      `Up to ${MAX_EVALUATION_QUESTIONS} questions, each with \`expected_document_id\` and/or ` +
      '`answer_pattern` (a phrase the answering chunk contains, case and whitespace insensitive; ' +
      'not a regular expression). Each is searched in the tenant’s own documents as ' +
      '`POST /rag/search` would; the reply gives the scores, each question’s rank of its first ' +
      'answering result and, for a miss, what came first instead.',
  })
  @ApiReply(evaluationReplySchema)
  evaluate(
    @Req() request: FastifyRequest,
    @Body(new ZodPipe(evaluationBodySchema)) body: z.output<typeof evaluationBodySchema>,
  ): Promise<EvaluationReply> {
    return this.transport.request(
      RAG.EVALUATE,
      { ...body, settings: request.tenantRag },
      { timeoutMs: EVALUATION_TIMEOUT_MS },
    );
  }
}
