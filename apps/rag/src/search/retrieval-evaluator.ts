import { Injectable } from '@nestjs/common';

import type {
  EvaluationReply,
  EvaluationRequest,
  SearchResult,
  TenantId,
} from '@tenantbot/contracts';

import { HybridRetriever } from './hybrid-retriever';

type Question = EvaluationRequest['questions'][number];

/**
 * Runs a tenant's own questions against its own knowledge base, one search each through the
 * same retriever as `POST /rag/search` (so under the same row-level security), and reports
 * hit@1, hit@k and MRR with what each missed question found instead.
 */
@Injectable()
export class RetrievalEvaluator {
  constructor(private readonly retriever: HybridRetriever) {}

  async evaluate(tenantId: TenantId, request: EvaluationRequest): Promise<EvaluationReply> {
    const outcomes: EvaluationReply['outcomes'] = [];
    for (const question of request.questions) {
      const { results, noRelevantContext } = await this.retriever.search(tenantId, {
        query: question.question,
        top_k: request.top_k,
        settings: request.settings,
      });
      const index = results.findIndex((result) => answers(question, result));
      const top = results.at(0);
      outcomes.push({
        question: question.question,
        hit_rank: index < 0 ? null : index + 1,
        no_relevant_context: noRelevantContext,
        top_result: top
          ? { document_id: top.document_id, filename: top.filename, chunk_id: top.chunk_id }
          : null,
      });
    }
    const ranks = outcomes.map((outcome) => outcome.hit_rank);
    return {
      questions: outcomes.length,
      top_k: request.top_k,
      hit_at_1: share(ranks.map((rank) => rank === 1)),
      hit_at_k: share(ranks.map((rank) => rank !== null)),
      mrr:
        ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / rank), 0) / ranks.length,
      no_relevant_context: outcomes.filter((outcome) => outcome.no_relevant_context).length,
      outcomes,
      misses: ranks.flatMap((rank, index) => (rank === null ? [index] : [])),
    };
  }
}

/** A result answers when it is of the expected document and holds the phrase, as given. */
function answers(question: Question, result: SearchResult): boolean {
  if (question.expected_document_id && result.document_id !== question.expected_document_id) {
    return false;
  }
  if (!question.answer_pattern) {
    return true;
  }
  return normalized(result.text).includes(normalized(question.answer_pattern));
}

function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

function share(flags: boolean[]): number {
  return flags.filter(Boolean).length / flags.length;
}
