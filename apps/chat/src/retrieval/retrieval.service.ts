import { Injectable } from '@nestjs/common';

import {
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
   * do not cover the question instead of quoting the nearest noise).
   */
  async relevantPassages(
    caller: Caller,
    question: string,
    settings: RagSettings,
  ): Promise<ChatSource[]> {
    const query = searchQuery(question);
    if (query === '') {
      return [];
    }
    const request: SearchRequest = {
      query,
      ...(settings.top_k === undefined ? {} : { top_k: settings.top_k }),
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
