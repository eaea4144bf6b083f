import { z } from 'zod';

import { documentTagSchema, documentTagsSchema } from './assistants';
import { EMBEDDING_PROVIDERS, ragSettingsSchema } from './tenants';

/**
 * Message patterns of the rag service. The tenant of every message comes from the request
 * context the transport carries (set by the gateway or the chat service), never from the
 * payload; a message without a tenant is refused with TENANT_REQUIRED (but for
 * `PLATFORM_DOCUMENTS`, the super admin's view across tenants, which needs none).
 */
export const RAG = {
  /** `CreateDocumentRequest` → `DocumentView` (status `pending`; ingestion runs in the background). */
  DOCUMENTS_CREATE: 'rag.documents.create',
  /** `ListDocumentsRequest` → `DocumentPage`. */
  DOCUMENTS_LIST: 'rag.documents.list',
  /** `DocumentRef` → `DocumentView`, or DOCUMENT_NOT_FOUND. */
  DOCUMENTS_GET: 'rag.documents.get',
  /** `DocumentRef` → `DeleteDocumentReply`: stored file, chunks and vectors are removed. */
  DOCUMENTS_DELETE: 'rag.documents.delete',
  /** `ReprocessDocumentRequest` → `DocumentView` with the next version, status `pending`. */
  DOCUMENTS_REPROCESS: 'rag.documents.reprocess',
  /** `UpdateDocumentRequest` → `DocumentView`: its tags (what assistants scope knowledge by). */
  DOCUMENTS_UPDATE: 'rag.documents.update',
  /** `PlatformDocumentsQuery` → every company's documents, each with its tenant id (super admin). */
  PLATFORM_DOCUMENTS: 'rag.platform.documents',
  /** `SearchRequest` → `SearchReply`: the `POST /rag/search` route. */
  SEARCH: 'rag.search',
  /** `SearchRequest` → `SearchReply`: context for the chat service's answers. */
  RETRIEVE: 'rag.retrieve',
  /** `EvaluationRequest` → `EvaluationReply`: the tenant's questions run against its own documents. */
  EVALUATE: 'rag.evaluate',
  /** `EmbedRequest` → `EmbedReply`: texts as vectors of the tenant's embedding model. */
  EMBED: 'rag.embed',
} as const;

export const DOCUMENT_TYPES = ['pdf', 'txt', 'md', 'html', 'docx', 'csv'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Where a document came from: an uploaded file, one web page, a crawled site, or pasted text. */
export const DOCUMENT_SOURCES = ['file', 'url', 'crawl', 'text'] as const;
export type DocumentSource = (typeof DOCUMENT_SOURCES)[number];

export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];

/**
 * The tenant's RAG settings when its record says nothing; the embedding provider's default is
 * the platform's (the rag service's EMBEDDING_PROVIDER, `local` unless set). Chunks of 1,200
 * characters with 120 of overlap were measured best of 500, 800, 1,200
 * (bench/README.md#retrieval-quality): an option's or setting's name stays with its
 * explanation, and no answer is cut at a boundary.
 */
export const RAG_DEFAULTS = {
  chunk_size: 1200,
  chunk_overlap: 120,
  top_k: 5,
  embedding_provider: 'local',
} as const satisfies Required<RagSettings>;

export type RagSettings = z.output<typeof ragSettingsSchema>;

/**
 * Why a document failed, kept with it (`error.code`). The first four are also error codes of
 * synchronous replies; the others only ever describe a failed ingestion.
 */
export const DOCUMENT_FAILURE_CODES = [
  'UNSUPPORTED_DOCUMENT_TYPE',
  'DOCUMENT_TOO_LARGE',
  'URL_NOT_ALLOWED',
  'SOURCE_NOT_FOUND',
  'FETCH_FAILED',
  'ROBOTS_DISALLOWED',
  'NO_TEXT_FOUND',
  'EXTRACTION_FAILED',
  'EXTRACTION_LIMIT_EXCEEDED',
  'EMBEDDING_FAILED',
  'INGESTION_FAILED',
] as const;
export type DocumentFailureCode = (typeof DOCUMENT_FAILURE_CODES)[number];

const settings = ragSettingsSchema.optional();
const searchQuery = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine((query) => !query.includes('\0'), 'must not contain NUL characters');
const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => URL.canParse(value), 'must be an absolute URL');

// ---- rag.documents.create -------------------------------------------------------------------

/** A file the gateway already streamed to object storage under `<tenant id>/<document id>`. */
export const uploadedFileSourceSchema = z.strictObject({
  document_id: z.uuid(),
  storage_key: z.string().min(1).max(200),
  filename: z.string().trim().min(1).max(255),
  content_type: z.string().max(255).optional(),
  bytes: z.number().int().min(0),
  tags: documentTagsSchema.optional(),
  /** The SHA-256 of the file's bytes (hex), computed by the gateway as it streamed them. */
  content_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Store it even when the tenant has a document with the same content. */
  force: z.boolean().optional(),
  settings,
});

export const crawlOptionsSchema = z.strictObject({
  max_pages: z.coerce.number().int().min(1).max(1000),
  max_depth: z.coerce.number().int().min(0).max(10),
});

/** One web page, or with `crawl` a same-origin crawl (the site's sitemap.xml when it has one). */
export const webSourceSchema = z.strictObject({
  url: httpUrl,
  crawl: crawlOptionsSchema.optional(),
  tags: documentTagsSchema.optional(),
  settings,
});

export const textSourceSchema = z.strictObject({
  title: z.string().trim().min(1).max(300),
  text: z.string().min(1).max(5_000_000),
  tags: documentTagsSchema.optional(),
  /** Store it even when the tenant has a document with the same text. */
  force: z.boolean().optional(),
  settings,
});

export const createDocumentRequestSchema = z.union([
  uploadedFileSourceSchema,
  webSourceSchema,
  textSourceSchema,
]);
export type CreateDocumentRequest = z.output<typeof createDocumentRequestSchema>;
export type UploadedFileSource = z.output<typeof uploadedFileSourceSchema>;
export type WebSource = z.output<typeof webSourceSchema>;
export type TextSource = z.output<typeof textSourceSchema>;

/** The JSON body of `POST /rag/documents` (a file comes as multipart instead). */
export const createDocumentBodySchema = z.union([
  webSourceSchema.omit({ settings: true }),
  textSourceSchema.omit({ settings: true, force: true }),
]);

/** `POST /rag/documents?force=true`: store content the tenant already has, as a new document. */
export const createDocumentQuerySchema = z.strictObject({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

// ---- list, get, delete, reprocess ------------------------------------------------------------

export const listDocumentsRequestSchema = z.strictObject({
  status: z.enum(DOCUMENT_STATUSES).optional(),
  type: z.enum(DOCUMENT_TYPES).optional(),
  source: z.enum(DOCUMENT_SOURCES).optional(),
  /** Only documents carrying this tag. */
  tag: documentTagSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListDocumentsRequest = z.output<typeof listDocumentsRequestSchema>;

export const documentRefSchema = z.strictObject({ id: z.uuid() });
export type DocumentRef = z.output<typeof documentRefSchema>;

export const reprocessDocumentRequestSchema = z.strictObject({ id: z.uuid(), settings });
export type ReprocessDocumentRequest = z.output<typeof reprocessDocumentRequestSchema>;

/** The body of `PATCH /rag/documents/{id}`. */
export const updateDocumentBodySchema = z.strictObject({ tags: documentTagsSchema });
export const updateDocumentRequestSchema = updateDocumentBodySchema.extend({ id: z.uuid() });
export type UpdateDocumentRequest = z.output<typeof updateDocumentRequestSchema>;

export const documentViewSchema = z.object({
  id: z.uuid(),
  source: z.enum(DOCUMENT_SOURCES),
  type: z.enum(DOCUMENT_TYPES).nullable(),
  filename: z.string().nullable(),
  url: z.string().nullable(),
  title: z.string().nullable(),
  content_type: z.string().nullable(),
  status: z.enum(DOCUMENT_STATUSES),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** PDF pages, or web pages of a crawl; null for other sources. */
  pages: z.number().int().nullable(),
  chunk_count: z.number().int(),
  bytes: z.number().int().nullable(),
  version: z.number().int(),
  embedding_model: z.string().nullable(),
  /** Labels an assistant's knowledge may be scoped by. */
  tags: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  processed_at: z.string().nullable(),
  /**
   * Set when the upload's content (SHA-256) is already a document of the tenant: this is that
   * document, and nothing new was stored.
   */
  duplicate_of: z.uuid().optional(),
});
export type DocumentView = z.output<typeof documentViewSchema>;

export const documentPageSchema = z.object({
  items: z.array(documentViewSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type DocumentPage = z.output<typeof documentPageSchema>;

export const deleteDocumentReplySchema = z.object({ id: z.uuid(), deleted: z.literal(true) });
export type DeleteDocumentReply = z.output<typeof deleteDocumentReplySchema>;

// ---- rag.search / rag.retrieve ---------------------------------------------------------------

export const searchRequestSchema = z.strictObject({
  query: searchQuery,
  top_k: z.coerce.number().int().min(1).max(50).optional(),
  document_ids: z.array(z.uuid()).min(1).max(100).optional(),
  /**
   * Documents carrying any of these tags. With `document_ids` too, a document in either is
   * searched; an empty list (an assistant scoped to nothing) searches nothing.
   */
  tags: z.array(documentTagSchema).max(20).optional(),
  settings,
});
export type SearchRequest = z.output<typeof searchRequestSchema>;

/** The JSON body of `POST /rag/search`. */
export const searchBodySchema = searchRequestSchema.omit({ settings: true });

export const searchResultSchema = z.object({
  chunk_id: z.uuid(),
  document_id: z.uuid(),
  /** The document's file name, else its title, else its URL: what a citation shows. */
  filename: z.string(),
  /** The web page the chunk came from (url and crawl documents). */
  url: z.string().nullable(),
  page: z.number().int().nullable(),
  chunk_index: z.number().int(),
  heading_path: z.array(z.string()),
  text: z.string(),
  /** Weighted reciprocal-rank-fusion score of the full-text and vector rankings (higher is better). */
  score: z.number(),
  /**
   * How much of the query the chunk holds: the share of the query's terms, weighted by their
   * rarity in the tenant's documents (IDF), that occur in it; 0 to 1, comparable across queries.
   */
  relevance: z.number(),
});
export type SearchResult = z.output<typeof searchResultSchema>;

export const searchReplySchema = z.object({
  results: z.array(searchResultSchema),
  /**
   * True when no result reaches the relevance threshold, or when the query names something
   * (a proper noun, an acronym) that the tenant's documents rarely or never mention and the
   * best full-text match does not: the knowledge base likely does not answer the query, and
   * the results are only the nearest noise.
   */
  no_relevant_context: z.boolean(),
});
export type SearchReply = z.output<typeof searchReplySchema>;

// ---- rag.evaluate ----------------------------------------------------------------------------

/** Questions one evaluation may ask: each is one search. */
export const MAX_EVALUATION_QUESTIONS = 50;

export const evaluationQuestionSchema = z
  .strictObject({
    question: searchQuery,
    /** The document that answers the question: a hit is any of its chunks. */
    expected_document_id: z.uuid().optional(),
    /**
     * A phrase the answering chunk contains, compared without regard to case or whitespace. A
     * plain phrase, not a regular expression: no pattern can make the service backtrack for long.
     */
    answer_pattern: z.string().trim().min(1).max(500).optional(),
  })
  .refine(
    (question) =>
      question.expected_document_id !== undefined || question.answer_pattern !== undefined,
    'needs expected_document_id or answer_pattern (or both)',
  );

export const evaluationRequestSchema = z.strictObject({
  questions: z.array(evaluationQuestionSchema).min(1).max(MAX_EVALUATION_QUESTIONS),
  /** Hits count within the first k results. */
  top_k: z.coerce.number().int().min(1).max(20).default(5),
  settings,
});
export type EvaluationRequest = z.output<typeof evaluationRequestSchema>;

/** The JSON body of `POST /rag/evaluations`. */
export const evaluationBodySchema = evaluationRequestSchema.omit({ settings: true });

export const evaluationOutcomeSchema = z.object({
  question: z.string(),
  /** 1-based rank of the first result that answers the question, or null (a miss). */
  hit_rank: z.number().int().nullable(),
  no_relevant_context: z.boolean(),
  /** The best result: what the search returned instead, when it missed. */
  top_result: z
    .object({ document_id: z.uuid(), filename: z.string(), chunk_id: z.uuid() })
    .nullable(),
});

export const evaluationReplySchema = z.object({
  questions: z.number().int(),
  top_k: z.number().int(),
  /** Share of questions answered by the first result. */
  hit_at_1: z.number(),
  /** Share of questions answered within the first `top_k` results. */
  hit_at_k: z.number(),
  /** Mean reciprocal rank of the first answering result (0 for a miss). */
  mrr: z.number(),
  /** Questions for which the search reported no relevant context. */
  no_relevant_context: z.number().int(),
  /** Each question's outcome, in the order asked. */
  outcomes: z.array(evaluationOutcomeSchema),
  /** 0-based positions of the questions no result within `top_k` answered. */
  misses: z.array(z.number().int()),
});
export type EvaluationReply = z.output<typeof evaluationReplySchema>;

// ---- rag.embed ---------------------------------------------------------------------------------

export const MAX_EMBED_INPUTS = 256;

export const embedRequestSchema = z.strictObject({
  input: z.array(z.string().min(1).max(32_000)).min(1).max(MAX_EMBED_INPUTS),
  settings,
});
export type EmbedRequest = z.output<typeof embedRequestSchema>;

export const embedReplySchema = z.object({
  /** The tenant's embedding model (its `rag.embedding_provider`, else the platform's). */
  model: z.string(),
  /** One vector per input, in order. */
  vectors: z.array(z.array(z.number())),
  /** The inputs' tokens (cl100k_base). */
  tokens: z.number().int(),
});
export type EmbedReply = z.output<typeof embedReplySchema>;
