import { Controller } from '@nestjs/common';

import { type ParsedRequestOf, type PlatformCaller, RAG, type ReplyOf } from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { PlatformDocumentsService } from './platform-documents.service';

/** Every company's documents, for a super admin (no tenant in context needed). */
@Controller()
export class PlatformDocumentsHandler {
  constructor(private readonly service: PlatformDocumentsService) {}

  @Handles(RAG.PLATFORM_DOCUMENTS)
  list(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @ValidPayload(RAG.PLATFORM_DOCUMENTS) query: ParsedRequestOf<typeof RAG.PLATFORM_DOCUMENTS>,
  ): Promise<ReplyOf<typeof RAG.PLATFORM_DOCUMENTS>> {
    return this.service.list(caller, query);
  }
}
