import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  createDocumentRequestSchema,
  documentRefSchema,
  listDocumentsRequestSchema,
  parseOrThrow,
  RAG,
  reprocessDocumentRequestSchema,
  type DeleteDocumentReply,
  type DocumentPage,
  type DocumentView,
} from '@tenantbot/contracts';
import { requestTenant } from '../common/request-tenant';
import { DocumentsService } from './documents.service';

@Controller()
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @MessagePattern(RAG.DOCUMENTS_CREATE)
  create(@Payload() payload: unknown): Promise<DocumentView> {
    const tenantId = requestTenant();
    return this.documents.create(tenantId, parseOrThrow(createDocumentRequestSchema, payload));
  }

  @MessagePattern(RAG.DOCUMENTS_LIST)
  list(@Payload() payload: unknown): Promise<DocumentPage> {
    const tenantId = requestTenant();
    return this.documents.list(tenantId, parseOrThrow(listDocumentsRequestSchema, payload ?? {}));
  }

  @MessagePattern(RAG.DOCUMENTS_GET)
  get(@Payload() payload: unknown): Promise<DocumentView> {
    const tenantId = requestTenant();
    return this.documents.get(tenantId, parseOrThrow(documentRefSchema, payload).id);
  }

  @MessagePattern(RAG.DOCUMENTS_DELETE)
  delete(@Payload() payload: unknown): Promise<DeleteDocumentReply> {
    const tenantId = requestTenant();
    return this.documents.delete(tenantId, parseOrThrow(documentRefSchema, payload).id);
  }

  @MessagePattern(RAG.DOCUMENTS_REPROCESS)
  reprocess(@Payload() payload: unknown): Promise<DocumentView> {
    const tenantId = requestTenant();
    return this.documents.reprocess(
      tenantId,
      parseOrThrow(reprocessDocumentRequestSchema, payload),
    );
  }
}
