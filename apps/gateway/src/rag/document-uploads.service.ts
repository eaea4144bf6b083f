import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import {
  type AuthenticatedTenant,
  documentTagsSchema,
  type DocumentView,
  DomainError,
  ErrorCode,
  parseOrThrow,
  RAG,
  uploadedFileSourceSchema,
} from '@tenantbot/contracts';
import {
  documentObjectKey,
  type ObjectStorage,
  SNIFF_BYTES,
  sniffDocumentType,
} from '@tenantbot/object-storage';
import type { Logger } from '@tenantbot/observability';
import type { RequestContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { describeKnownError } from '../http/error-response';
import { LOGGER, OBJECT_STORAGE } from '../tokens';

/**
 * A multipart upload becomes a document: its type is checked by content before anything is
 * stored, the file streams to object storage under `<tenant>/<document id>` with the size
 * cap enforced while streaming, and if the rag service does not take the document the
 * stored file is removed again — nothing is left half-written.
 */
@Injectable()
export class DocumentUploads {
  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly transport: RedisStreamsClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async ingest(
    caller: RequestContext,
    files: UploadedFiles,
    settings: AuthenticatedTenant['rag'] | undefined,
  ): Promise<DocumentView> {
    const tenantId = caller.tenantId;
    if (!tenantId) {
      throw new DomainError(ErrorCode.TENANT_REQUIRED, 'name the tenant in X-Tenant-ID');
    }
    const file = await nextFile(files);
    if (!file || file.fieldname !== 'file') {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        'file: send the document as the multipart field "file"',
        [{ field: 'file', message: 'required' }],
      );
    }
    const described = parseOrThrow(uploadedFileSchema, {
      filename: file.filename.slice(0, 255) || 'upload',
      content_type: file.mimetype.slice(0, 255),
    });
    const tags = tagsOf(file.fields);
    const { head, body } = await peek(file.file, SNIFF_BYTES);
    if (!(await sniffDocumentType(head, file.filename))) {
      body.resume(); // let the rest of the upload drain
      throw new DomainError(
        ErrorCode.UNSUPPORTED_DOCUMENT_TYPE,
        'the file is not a PDF, DOCX, text, Markdown, HTML or CSV document (checked by content)',
      );
    }
    const documentId = randomUUID();
    const key = documentObjectKey(tenantId, documentId);
    const { bytes } = await this.storage.put(key, body, {
      maxBytes: this.config.MAX_DOCUMENT_BYTES,
      contentType: file.mimetype,
    });
    try {
      await refuseMoreFiles(files);
      return await this.transport.request(RAG.DOCUMENTS_CREATE, {
        document_id: documentId,
        storage_key: key,
        ...described,
        bytes,
        ...(tags ? { tags } : {}),
        settings,
      });
    } catch (error) {
      await this.storage
        .delete(key)
        .catch((cleanup: unknown) =>
          this.logger.error({ err: cleanup, key }, 'removing an orphaned upload failed'),
        );
      throw error;
    }
  }
}

export type UploadedFiles = ReturnType<FastifyRequest['files']>;

async function nextFile(files: UploadedFiles) {
  try {
    const next = await files.next();
    return next.done ? undefined : next.value;
  } catch (error) {
    throw asUploadError(error);
  }
}

/** One document per request: a second file part fails the upload (and its stored file). */
async function refuseMoreFiles(files: UploadedFiles) {
  const extra = await nextFile(files);
  if (!extra) {
    return;
  }
  extra.file.resume();
  throw new DomainError(ErrorCode.TOO_MANY_PARTS, 'send one file per upload', {
    limit: { files: 1 },
  });
}

type UploadedFile = NonNullable<Awaited<ReturnType<typeof nextFile>>>;

/**
 * The multipart field `tags` (before the `file` part: fields after it arrive too late):
 * comma-separated, or the field repeated. Checked before anything is stored.
 */
function tagsOf(fields: UploadedFile['fields']): string[] | undefined {
  const field = fields.tags;
  if (field === undefined) {
    return undefined;
  }
  const values = (Array.isArray(field) ? field : [field]).flatMap((part) =>
    part.type === 'field' ? String(part.value).split(',') : [],
  );
  return parseOrThrow(
    documentTagsSchema,
    values.map((tag) => tag.trim()).filter((tag) => tag !== ''),
  );
}

/** What the upload says of itself, checked as the rag service will check it, before storing. */
const uploadedFileSchema = uploadedFileSourceSchema.pick({ filename: true, content_type: true });

/**
 * The multipart parser fails a body that is cut off or not multipart with plain errors (no
 * code); those are the client's fault. Its limits carry FST_ codes the error filter maps.
 */
function asUploadError(error: unknown): unknown {
  if (error instanceof DomainError || describeKnownError(error)) {
    return error;
  }
  return new DomainError(
    ErrorCode.MALFORMED_MULTIPART,
    'the multipart body is malformed or cut off',
    { reason: error instanceof Error ? error.message : String(error) },
  );
}

/** Reads the first `size` bytes of a stream and gives back a stream of the whole content. */
async function peek(stream: Readable, size: number): Promise<{ head: Buffer; body: Readable }> {
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const iterator = {
    next: () =>
      source.next().catch((error: unknown) => {
        throw asUploadError(error);
      }),
  };
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* whole() {
    yield head;
    if (done) {
      return;
    }
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  return { head, body: Readable.from(whole()) };
}
