import { setImmediate as nextTurn } from 'node:timers/promises';

import { Injectable } from '@nestjs/common';

import type { ChatSource } from '@tenantbot/contracts';

import { contentTerms, sharedTerms } from '../retrieval/relevance';
import type { DeltaListener, LlmCompletion, LlmProvider, LlmRequest } from './llm-provider';

const LABEL = 'Answer assembled from your documents by the offline extractive responder:';
const MAX_QUOTES = 3;
const MAX_QUOTE_CHARS = 400;

/**
 * The offline default: no model, no key. It quotes the sentences of the retrieved passages
 * that share the most words with the question, each with its citation, and says plainly when
 * nothing relevant was retrieved. It never writes a word that is not in the documents.
 */
@Injectable()
export class LocalExtractiveProvider implements LlmProvider {
  readonly name = 'local';

  complete(request: LlmRequest): Promise<LlmCompletion> {
    return Promise.resolve({ text: extractiveAnswer(request) });
  }

  async stream(
    request: LlmRequest,
    signal: AbortSignal,
    onDelta: DeltaListener,
  ): Promise<LlmCompletion> {
    const text = extractiveAnswer(request);
    for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
      signal.throwIfAborted();
      onDelta(piece);
      await nextTurn(); // lets a cancellation in between words
    }
    return { text };
  }
}

export function extractiveAnswer(request: Pick<LlmRequest, 'question' | 'passages' | 'useRag'>) {
  if (!request.useRag) {
    return (
      'The offline extractive responder answers only from your documents, and document ' +
      'search is turned off for this message (use_rag: false), so it has nothing to answer from.'
    );
  }
  const questionTerms = contentTerms(request.question);
  // Every passage given is relevant already; each is quoted by its best sentence.
  const quotes = request.passages.slice(0, MAX_QUOTES).map((passage, index) => ({
    sentence: bestSentence(passage.text, questionTerms),
    number: index + 1,
  }));
  if (quotes.length === 0) {
    return (
      'I found nothing about this in your documents, so I cannot answer it. ' +
      '(Offline extractive responder: no relevant passages were retrieved.)'
    );
  }
  const lines = quotes.map((quote) => `- "${quote.sentence}" [${quote.number}]`);
  const cited = quotes.map((quote) => citation(request.passages, quote.number));
  return `${LABEL}\n\n${lines.join('\n')}\n\nSources: ${cited.join('; ')}`;
}

/** The sentence sharing the most words with the question (the first one on a tie). */
function bestSentence(text: string, questionTerms: Set<string>): string {
  const sentences = sentencesOf(text);
  let best = { sentence: sentences[0] ?? '', score: 0 };
  for (const sentence of sentences) {
    const score = sharedTerms(questionTerms, sentence);
    if (score > best.score) {
      best = { sentence, score };
    }
  }
  return truncate(best.sentence);
}

function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

function truncate(sentence: string): string {
  return sentence.length <= MAX_QUOTE_CHARS
    ? sentence
    : `${sentence.slice(0, MAX_QUOTE_CHARS).replace(/\s+\S*$/, '')} …`;
}

function citation(passages: ChatSource[], number: number): string {
  const passage = passages[number - 1];
  const page = passage.page === null ? '' : `, page ${passage.page}`;
  return `[${number}] ${passage.filename}${page}`;
}
