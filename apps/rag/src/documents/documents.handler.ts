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
import { messageCaller } from '../common/message-caller';
import { DocumentsService } from './documents.service';

@Controller()
export class DocumentsHandler {
  constructor(private readonly documents: DocumentsService) {}

  @MessagePattern(RAG.DOCUMENTS_CREATE)
  create(@Payload() payload: unknown): Promise<DocumentView> {
    const caller = messageCaller();
    return this.documents.create(caller, parseOrThrow(createDocumentRequestSchema, payload));
  }

  @MessagePattern(RAG.DOCUMENTS_LIST)
  list(@Payload() payload: unknown): Promise<DocumentPage> {
    const caller = messageCaller();
    return this.documents.list(caller, parseOrThrow(listDocumentsRequestSchema, payload ?? {}));
  }

  @MessagePattern(RAG.DOCUMENTS_GET)
  get(@Payload() payload: unknown): Promise<DocumentView> {
    const caller = messageCaller();
    return this.documents.get(caller, parseOrThrow(documentRefSchema, payload).id);
  }

  @MessagePattern(RAG.DOCUMENTS_DELETE)
  delete(@Payload() payload: unknown): Promise<DeleteDocumentReply> {
    const caller = messageCaller();
    return this.documents.delete(caller, parseOrThrow(documentRefSchema, payload).id);
  }

  @MessagePattern(RAG.DOCUMENTS_REPROCESS)
  reprocess(@Payload() payload: unknown): Promise<DocumentView> {
    const caller = messageCaller();
    return this.documents.reprocess(caller, parseOrThrow(reprocessDocumentRequestSchema, payload));
  }
}
