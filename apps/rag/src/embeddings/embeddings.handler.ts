import { Controller } from '@nestjs/common';

import { type Caller, type EmbedReply, type ParsedRequestOf, RAG } from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { EmbeddingsService } from './embeddings.service';

@Controller()
export class EmbeddingsHandler {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Handles(RAG.EMBED)
  embed(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.EMBED) request: ParsedRequestOf<typeof RAG.EMBED>,
  ): Promise<EmbedReply> {
    return this.embeddings.embed(caller, request);
  }
}
