import { Injectable } from '@nestjs/common';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { LRUCache } from 'lru-cache';

import type { ChatTurn } from '@tenantbot/contracts';

/** Tokens a chat message costs beyond its text (role and separators), as OpenAI counts them. */
const PER_MESSAGE = 4;

/** Texts counted lately: the same chunks answer many questions, one frame serves a tenant. */
const REMEMBERED_TEXTS = 5_000;

/** No special tokens: "<|endoftext|>" in user text is just text. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Estimates token counts with cl100k_base, offline. Exact for the GPT-4 family, close enough
 * for Claude and the local responder; used to fit prompts into context windows and when a
 * provider reports no usage. gpt-tokenizer counts what js-tiktoken counted, 5 to 15 times
 * faster (bench/README.md, Chat).
 */
@Injectable()
export class TokenCounter {
  private readonly remembered = new LRUCache<string, number>({ max: REMEMBERED_TEXTS });

  count(text: string): number {
    return countTokens(text, PLAIN_TEXT);
  }

  /** `count` of a text that recurs (a retrieved passage as the prompt quotes it), remembered. */
  countRemembered(text: string): number {
    let tokens = this.remembered.get(text);
    if (tokens === undefined) {
      tokens = this.count(text);
      this.remembered.set(text, tokens);
    }
    return tokens;
  }

  countTurn(turn: Pick<ChatTurn, 'content'>): number {
    return this.count(turn.content) + PER_MESSAGE;
  }

  /** `countTurn` of a text that recurs, remembered. */
  countRememberedTurn(text: string): number {
    return this.countRemembered(text) + PER_MESSAGE;
  }

  countPrompt(system: string, messages: ChatTurn[]): number {
    return (
      this.countTurn({ content: system }) +
      messages.reduce((sum, turn) => sum + this.countTurn(turn), 0)
    );
  }
}
