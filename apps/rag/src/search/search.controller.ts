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
import { requestTenant } from '../common/request-tenant';
import { HybridRetriever } from './hybrid-retriever';
import { RetrievalEvaluator } from './retrieval-evaluator';

/**
 * `rag.search` answers the search route; `rag.retrieve` gives the chat service its context;
 * `rag.evaluate` measures the tenant's retrieval on its own questions.
 */
@Controller()
export class SearchController {
  constructor(
    private readonly retriever: HybridRetriever,
    private readonly evaluator: RetrievalEvaluator,
  ) {}

  @MessagePattern(RAG.EVALUATE)
  evaluate(@Payload() payload: unknown): Promise<EvaluationReply> {
    return this.evaluator.evaluate(requestTenant(), parseOrThrow(evaluationRequestSchema, payload));
  }

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
    const outcome = await this.retriever.search(tenantId, request);
    return { results: outcome.results, no_relevant_context: outcome.noRelevantContext };
  }
}
