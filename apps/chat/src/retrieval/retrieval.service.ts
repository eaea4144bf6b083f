import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

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

/**
 * A search started before the exchange's assistant was read (`startEarly`), with the
 * knowledge the same choice had last time; used only if the assistant has that knowledge.
 */
export interface EarlySearch {
  /** The tenant and the assistant asked for (none: the conversation's or the default). */
  choice: string;
  /** The knowledge it searched, as `scopeKey`; none on the choice's first exchange. */
  scope?: string;
  passages?: Promise<ChatSource[]>;
}

/** How many (tenant, assistant asked for) choices remember their last knowledge. */
const REMEMBERED_CHOICES = 10_000;

/** The tenant's passages relevant to a question, from the rag service, best first. */
@Injectable()
export class RetrievalService {
  /** The knowledge each choice's last exchange searched: a guess, checked before it is used. */
  private readonly lastKnowledge = new LRUCache<string, string>({ max: REMEMBERED_CHOICES });

  constructor(private readonly transport: RedisStreamsClient) {}

  /**
   * Starts the search while the exchange's assistant is still being read, with the knowledge
   * this tenant's exchanges asking for the same assistant searched last (nothing to guess on
   * the first). `relevantPassages` takes its result only when the assistant read since has
   * that very knowledge; otherwise it searches again and this result is dropped. The guess
   * decides nothing but which search runs first: no scope is ever used unchecked.
   */
  startEarly(
    caller: Caller,
    question: string,
    settings: RagSettings,
    assistantId: string | undefined,
  ): EarlySearch {
    const choice = `${caller.tenantId}\0${assistantId ?? ''}`;
    const scope = this.lastKnowledge.get(choice);
    if (scope === undefined) {
      return { choice };
    }
    const passages = this.search(question, settings, JSON.parse(scope) as Scope);
    // Dropped when the guess was wrong or the exchange ends first: nobody awaits it then.
    passages.catch(() => undefined);
    return { choice, scope, passages };
  }

  /**
   * Searches the caller's tenant: the transport carries the caller's request context to rag.
   * Nothing when the search reports no relevant context (the answer then says the documents
   * do not cover the question instead of quoting the nearest noise). Only the documents of
   * `knowledge` are searched (rag applies the scope inside both rankings): an assistant scoped
   * to no document gets no passages. An early search of the same knowledge is its answer.
   */
  relevantPassages(
    caller: Caller,
    question: string,
    settings: RagSettings,
    knowledge: AssistantKnowledge = {},
    early?: EarlySearch,
  ): Promise<ChatSource[]> {
    const scope = searchScope(knowledge);
    const key = scopeKey(scope);
    if (early) {
      this.lastKnowledge.set(early.choice, key);
      if (early.passages && early.scope === key) {
        return early.passages;
      }
    }
    return this.search(question, settings, scope);
  }

  private async search(
    question: string,
    settings: RagSettings,
    scope: Scope,
  ): Promise<ChatSource[]> {
    const query = searchQuery(question);
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

type Scope = ReturnType<typeof searchScope>;

/** A scope as a string that is equal for equal scopes (the assistant's lists keep their order). */
function scopeKey(scope: Scope): string {
  return scope === 'nothing'
    ? '"nothing"'
    : JSON.stringify({ document_ids: scope.document_ids, tags: scope.tags });
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
