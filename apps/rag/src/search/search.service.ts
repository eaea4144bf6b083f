import { Injectable } from '@nestjs/common';

import type {
  Caller,
  EvaluationReply,
  EvaluationRequest,
  SearchReply,
  SearchRequest,
} from '@tenantbot/contracts';

import { HybridRetriever } from './hybrid-retriever';
import { RetrievalEvaluator } from './retrieval-evaluator';

/**
 * Searches of the caller's tenant, always in its scope: the caller's tenant is the only one
 * the retriever is ever given.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly retriever: HybridRetriever,
    private readonly evaluator: RetrievalEvaluator,
  ) {}

  async search(caller: Caller, request: SearchRequest): Promise<SearchReply> {
    const outcome = await this.retriever.search(caller.tenantId, request);
    return { results: outcome.results, no_relevant_context: outcome.noRelevantContext };
  }

  evaluate(caller: Caller, request: EvaluationRequest): Promise<EvaluationReply> {
    return this.evaluator.evaluate(caller.tenantId, request);
  }
}
