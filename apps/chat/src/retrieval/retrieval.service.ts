import { Injectable } from '@nestjs/common';

import {
  type AssistantKnowledge,
  type Caller,
  type ChatSource,
  RAG,
  type RagSettings,
  type SearchRequest,
  type SearchResult,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { contentTerms, isRelevant } from './relevance';

/** rag.retrieve takes queries up to this long; the start of a long message is what matters. */
const MAX_QUERY_CHARS = 2000;

/** The tenant's passages relevant to a question, from the rag service, best first. */
@Injectable()
export class RetrievalService {
  constructor(private readonly transport: RedisStreamsClient) {}

  /**
   * Searches the caller's tenant: the transport carries the caller's request context to rag.
   * Nothing when the search reports no relevant context (the answer then says the documents
   * do not cover the question instead of quoting the nearest noise). Only the documents of
   * `knowledge` are searched (rag applies the scope inside both rankings): an assistant scoped
   * to no document gets no passages.
   */
  async relevantPassages(
    caller: Caller,
    question: string,
    settings: RagSettings,
    knowledge: AssistantKnowledge = {},
  ): Promise<ChatSource[]> {
    const query = searchQuery(question);
    const scope = searchScope(knowledge);
    if (query === '' || scope === 'nothing') {
      return [];
    }
    const request: SearchRequest = {
      query,
      ...(settings.top_k === undefined ? {} : { top_k: settings.top_k }),
      ...scope,
      settings,
    };
    const reply = await this.transport.request(RAG.RETRIEVE, request);
    if (reply.no_relevant_context) {
      return [];
    }
    const terms = contentTerms(question);
    return reply.results.filter((result) => isRelevant(terms, describe(result))).map(toSource);
  }
}

/**
 * The message as a search query: control characters (NUL included, which the search refuses)
 * as spaces, whitespace collapsed, cut to what rag.retrieve takes.
 */
export function searchQuery(message: string): string {
  return message
    .replace(/[\p{Cc}\p{Cs}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_QUERY_CHARS)
    .trim();
}

/** The search's restriction for an assistant's knowledge; `nothing` when it may cite none. */
export function searchScope(
  knowledge: AssistantKnowledge,
): Pick<SearchRequest, 'document_ids' | 'tags'> | 'nothing' {
  const { document_ids: ids, tags } = knowledge;
  if (ids === undefined && tags === undefined) {
    return {};
  }
  if (!ids?.length && !tags?.length) {
    return 'nothing';
  }
  return {
    ...(ids?.length ? { document_ids: ids } : {}),
    ...(tags?.length ? { tags } : {}),
  };
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
