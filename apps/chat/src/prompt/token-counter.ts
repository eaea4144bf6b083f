import type { ChatTurn } from '@tenantbot/contracts';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

/** Tokens a chat message costs beyond its text (role and separators), as OpenAI counts them. */
const PER_MESSAGE = 4;

/**
 * Estimates token counts with cl100k_base, offline. Exact for the GPT-4 family, close enough
 * for Claude and the local responder; used to fit prompts into context windows and when a
 * provider reports no usage.
 */
export class TokenCounter {
  private readonly encoder = new Tiktoken(cl100kBase);

  count(text: string): number {
    // No special tokens: "<|endoftext|>" in user text is just text.
    return this.encoder.encode(text, [], []).length;
  }

  countTurn(turn: Pick<ChatTurn, 'content'>): number {
    return this.count(turn.content) + PER_MESSAGE;
  }

  countPrompt(system: string, messages: ChatTurn[]): number {
    return (
      this.countTurn({ content: system }) +
      messages.reduce((sum, turn) => sum + this.countTurn(turn), 0)
    );
  }
}
