import { describe, expect, it } from '@jest/globals';

import type { ChatSource } from '@tenantbot/contracts';

import type { LlmRequest } from './llm-provider';
import { LocalExtractiveProvider } from './local-extractive.provider';

const source = (text: string, filename: string, page: number | null = null): ChatSource => ({
  document_id: '00000000-0000-4000-8000-000000000001',
  filename,
  page,
  chunk_index: 0,
  score: 0.03,
  text,
});

const request = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'local-extractive',
  system: '',
  messages: [],
  maxTokens: 1024,
  question: 'How many days do I have to return an item?',
  passages: [
    source(
      'Refund policy. Customers may return any item within 30 days. Refunds go to the card.',
      'refunds.pdf',
      3,
    ),
    source('Shipping. Orders ship in 2 days.', 'shipping.md'),
  ],
  useRag: true,
  ...overrides,
});

describe('LocalExtractiveProvider', () => {
  const provider = new LocalExtractiveProvider();
  const never = new AbortController().signal;

  it('quotes the best sentence of each passage with its citation, honestly labelled', async () => {
    const { text, usage } = await provider.complete(request());

    expect(text).toBe(
      'Answer assembled from your documents by the offline extractive responder:\n\n' +
        '- "Customers may return any item within 30 days." [1]\n' +
        '- "Orders ship in 2 days." [2]\n\n' +
        'Sources: [1] refunds.pdf, page 3; [2] shipping.md',
    );
    expect(usage).toBeUndefined();
  });

  it('says plainly that nothing relevant was found', async () => {
    const { text } = await provider.complete(request({ passages: [] }));
    expect(text).toMatch(/^I found nothing about this in your documents, so I cannot answer it\./);
  });

  it('says it has nothing to answer from without retrieval', async () => {
    const { text } = await provider.complete(request({ useRag: false, passages: [] }));
    expect(text).toMatch(/use_rag: false/);
  });

  it('streams the same answer in word-sized deltas', async () => {
    const deltas: string[] = [];
    const { text } = await provider.stream(request(), never, (delta) => deltas.push(delta));

    expect(deltas.length).toBeGreaterThan(20);
    expect(deltas.join('')).toBe(text);
    expect(deltas.every((delta) => /^\S+\s*$|^\s+$/.test(delta))).toBe(true);
  });

  it('stops streaming when aborted', async () => {
    const controller = new AbortController();
    const deltas: string[] = [];
    const streaming = provider.stream(request(), controller.signal, (delta) => {
      deltas.push(delta);
      if (deltas.length === 3) {
        controller.abort();
      }
    });
    await expect(streaming).rejects.toThrow();
    expect(deltas).toHaveLength(3);
  });
});
