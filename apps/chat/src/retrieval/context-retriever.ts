import { Inject, Injectable } from '@nestjs/common';
import {
  RAG,
  type ChatSource,
  type RagSettings,
  type SearchReply,
  type SearchRequest,
  type SearchResult,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';
import { contentTerms, isRelevant } from './relevance';

/** rag.retrieve takes queries up to this long; the start of a long message is what matters. */
const MAX_QUERY_CHARS = 2000;

/** The tenant's passages relevant to a question, from the rag service, best first. */
@Injectable()
export class ContextRetriever {
  constructor(@Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient) {}

  async relevantPassages(question: string, settings: RagSettings): Promise<ChatSource[]> {
    const request: SearchRequest = {
      query: question.slice(0, MAX_QUERY_CHARS),
      ...(settings.top_k === undefined ? {} : { top_k: settings.top_k }),
      settings,
    };
    const { results } = await this.transport.request<SearchReply>(RAG.RETRIEVE, request);
    const terms = contentTerms(question);
    return results.filter((result) => isRelevant(terms, describe(result))).map(toSource);
  }
}

/** What a passage is about: its text, and the headings and title it sits under. */
function describe(result: SearchResult): string {
  return [result.filename, ...result.heading_path, result.text].join('\n');
}

function toSource(result: SearchResult): ChatSource {
  return {
    document_id: result.document_id,
    filename: result.filename,
    page: result.page,
    chunk_index: result.chunk_index,
    score: result.score,
    text: result.text,
  };
}
