import { Injectable } from '@nestjs/common';

import type {
  Caller,
  EvaluationReply,
  EvaluationRequest,
  SearchReply,
  SearchRequest,
} from '@tenantbot/contracts';

import { CURATORS, requireRole } from '../common/access';
import { HybridRetriever } from './hybrid-retriever';
import { RetrievalEvaluator } from './retrieval-evaluator';

/**
 * Searches of the caller's tenant, always in its scope: the caller's tenant is the only one
 * the retriever is ever given. Any caller of the tenant may search (chat retrieves for its
 * website visitors too); evaluating is for those who curate the knowledge base.
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

  async evaluate(caller: Caller, request: EvaluationRequest): Promise<EvaluationReply> {
    requireRole(caller, CURATORS);
    return this.evaluator.evaluate(caller.tenantId, request);
  }
}
