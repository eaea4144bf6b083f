import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { parseOrThrow, RAG, searchRequestSchema, type SearchReply } from '@tenantbot/contracts';
import { requestTenant } from '../common/request-tenant';
import { HybridRetriever } from './hybrid-retriever';

/** `rag.search` answers the search route; `rag.retrieve` gives the chat service its context. */
@Controller()
export class SearchController {
  constructor(private readonly retriever: HybridRetriever) {}

  @MessagePattern(RAG.SEARCH)
  search(@Payload() payload: unknown): Promise<SearchReply> {
    return this.run(payload);
  }

  @MessagePattern(RAG.RETRIEVE)
  retrieve(@Payload() payload: unknown): Promise<SearchReply> {
    return this.run(payload);
  }

  private async run(payload: unknown): Promise<SearchReply> {
    const tenantId = requestTenant();
    const request = parseOrThrow(searchRequestSchema, payload);
    return { results: await this.retriever.search(tenantId, request) };
  }
}
