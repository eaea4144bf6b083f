import { Controller } from '@nestjs/common';

import {
  type Caller,
  type DeleteDocumentReply,
  type DocumentPage,
  type DocumentView,
  type ParsedRequestOf,
  RAG,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { DocumentsService } from './documents.service';

@Controller()
export class DocumentsHandler {
  constructor(private readonly documents: DocumentsService) {}

  @Handles(RAG.DOCUMENTS_CREATE)
  create(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.DOCUMENTS_CREATE) request: ParsedRequestOf<typeof RAG.DOCUMENTS_CREATE>,
  ): Promise<DocumentView> {
    return this.documents.create(caller, request);
  }

  @Handles(RAG.DOCUMENTS_LIST)
  list(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.DOCUMENTS_LIST) request: ParsedRequestOf<typeof RAG.DOCUMENTS_LIST>,
  ): Promise<DocumentPage> {
    return this.documents.list(caller, request);
  }

  @Handles(RAG.DOCUMENTS_GET)
  get(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.DOCUMENTS_GET) ref: ParsedRequestOf<typeof RAG.DOCUMENTS_GET>,
  ): Promise<DocumentView> {
    return this.documents.get(caller, ref.id);
  }

  @Handles(RAG.DOCUMENTS_UPDATE)
  update(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.DOCUMENTS_UPDATE) request: ParsedRequestOf<typeof RAG.DOCUMENTS_UPDATE>,
  ): Promise<DocumentView> {
    return this.documents.update(caller, request);
  }

  @Handles(RAG.DOCUMENTS_DELETE)
  delete(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.DOCUMENTS_DELETE) ref: ParsedRequestOf<typeof RAG.DOCUMENTS_DELETE>,
  ): Promise<DeleteDocumentReply> {
    return this.documents.delete(caller, ref.id);
  }

  @Handles(RAG.DOCUMENTS_REPROCESS)
  reprocess(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.DOCUMENTS_REPROCESS)
    request: ParsedRequestOf<typeof RAG.DOCUMENTS_REPROCESS>,
  ): Promise<DocumentView> {
    return this.documents.reprocess(caller, request);
  }
}
