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
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

import {
  createDocumentBodySchema,
  type DocumentPage,
  type DocumentRef,
  documentRefSchema,
  type DocumentView,
  evaluationBodySchema,
  type EvaluationReply,
  type ListDocumentsRequest,
  listDocumentsRequestSchema,
  MAX_EVALUATION_QUESTIONS,
  parseOrThrow,
  RAG,
  searchBodySchema,
  type SearchReply,
  updateDocumentBodySchema,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { openApiSchema } from '../http/openapi-schema';
import { IngestionRateLimit } from '../rate-limit/rate-limit.guard';
import { DocumentUploads } from './document-uploads.service';

const CURATORS = ['super_admin', 'tenant_admin'] as const;
const READERS = ['super_admin', 'tenant_admin', 'agent'] as const;
/** An evaluation runs one search per question, one after the other. */
const EVALUATION_TIMEOUT_MS = 60_000;

@ApiTags('rag')
@ApiBearerAuth()
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
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ schema: openApiSchema(createDocumentBodySchema) })
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
  list(
    @Query(new ZodPipe(listDocumentsRequestSchema)) query: ListDocumentsRequest,
  ): Promise<DocumentPage> {
    return this.transport.request(RAG.DOCUMENTS_LIST, query);
  }

  @Get('documents/:id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'A document: status, error, pages, chunk count, bytes, timestamps' })
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
  @ApiBody({ schema: openApiSchema(updateDocumentBodySchema) })
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
  @ApiBody({ schema: openApiSchema(searchBodySchema) })
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
  @ApiBody({ schema: openApiSchema(evaluationBodySchema) })
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
