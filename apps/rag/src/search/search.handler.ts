import { Controller } from '@nestjs/common';

import {
  type Caller,
  type EvaluationReply,
  type ParsedRequestOf,
  RAG,
  type SearchReply,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { SearchService } from './search.service';

/**
 * `rag.search` answers the search route; `rag.retrieve` gives the chat service its context;
 * `rag.evaluate` measures the tenant's retrieval on its own questions.
 */
@Controller()
export class SearchHandler {
  constructor(private readonly service: SearchService) {}

  @Handles(RAG.EVALUATE)
  evaluate(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.EVALUATE) request: ParsedRequestOf<typeof RAG.EVALUATE>,
  ): Promise<EvaluationReply> {
    return this.service.evaluate(caller, request);
  }

  @Handles(RAG.SEARCH)
  search(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.SEARCH) request: ParsedRequestOf<typeof RAG.SEARCH>,
  ): Promise<SearchReply> {
    return this.service.search(caller, request);
  }

  @Handles(RAG.RETRIEVE)
  retrieve(
    @CurrentCaller() caller: Caller,
    @ValidPayload(RAG.RETRIEVE) request: ParsedRequestOf<typeof RAG.RETRIEVE>,
  ): Promise<SearchReply> {
    return this.service.search(caller, request);
  }
}
