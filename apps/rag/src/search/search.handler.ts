import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  evaluationRequestSchema,
  parseOrThrow,
  RAG,
  searchRequestSchema,
  type EvaluationReply,
  type SearchReply,
} from '@tenantbot/contracts';
import { messageCaller } from '../common/message-caller';
import { SearchService } from './search.service';

/**
 * `rag.search` answers the search route; `rag.retrieve` gives the chat service its context;
 * `rag.evaluate` measures the tenant's retrieval on its own questions.
 */
@Controller()
export class SearchHandler {
  constructor(private readonly service: SearchService) {}

  @MessagePattern(RAG.EVALUATE)
  evaluate(@Payload() payload: unknown): Promise<EvaluationReply> {
    const caller = messageCaller();
    return this.service.evaluate(caller, parseOrThrow(evaluationRequestSchema, payload));
  }

  @MessagePattern(RAG.SEARCH)
  search(@Payload() payload: unknown): Promise<SearchReply> {
    const caller = messageCaller();
    return this.service.search(caller, parseOrThrow(searchRequestSchema, payload));
  }

  @MessagePattern(RAG.RETRIEVE)
  retrieve(@Payload() payload: unknown): Promise<SearchReply> {
    const caller = messageCaller();
    return this.service.search(caller, parseOrThrow(searchRequestSchema, payload));
  }
}
