import { describe, expect, it } from '@jest/globals';

import { Chunker, headingBlocks } from './chunker';

const sentence = (n: number) => `Sentence number ${n} says something about refunds and returns.`;

describe('Chunker', () => {
  it('keeps a short text whole, with its page', () => {
    const chunks = new Chunker({ size: 500, overlap: 50 }).split([
      { text: '  A short note.  ', page: 3, sourceUrl: null },
    ]);
    expect(chunks).toEqual([
      { index: 0, text: 'A short note.', page: 3, headingPath: [], sourceUrl: null },
    ]);
  });

  it('packs sentences up to the size, never more, and overlaps neighbours', () => {
    const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
    const chunks = new Chunker({ size: 300, overlap: 60 }).split([
      { text, page: null, sourceUrl: null },
    ]);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(300);
    }
    for (let i = 1; i < chunks.length; i++) {
      const shared = chunks[i].text.slice(0, 20);
      expect(chunks[i - 1].text).toContain(shared);
    }
    // Every sentence survives, whole, in some chunk.
    for (let i = 0; i < 40; i++) {
      expect(chunks.some((chunk) => chunk.text.includes(sentence(i)))).toBe(true);
    }
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, i) => i));
  });

  it('splits at paragraphs before sentences', () => {
    const paragraphs = ['First paragraph. '.repeat(5), 'Second paragraph. '.repeat(5)];
    const chunks = new Chunker({ size: 100, overlap: 0 }).split([
      { text: paragraphs.join('\n\n'), page: null, sourceUrl: null },
    ]);
    expect(chunks.every((chunk) => !chunk.text.includes('\n\n'))).toBe(true);
    expect(chunks[0].text.startsWith('First paragraph.')).toBe(true);
    expect(chunks.at(-1)?.text.endsWith('Second paragraph.')).toBe(true);
  });

  it('gives each chunk the heading path it sits under and never crosses a heading', () => {
    const markdown = [
      '# Handbook',
      'Intro text.',
      '## Refunds',
      'Refunds take 14 days.',
      '### Exceptions',
      'Digital goods are final.',
      '## Shipping',
      '```',
      '# not a heading inside code',
      '```',
      'Ships in 2 days.',
    ].join('\n');
    const chunks = new Chunker({ size: 500, overlap: 50 }).split([
      { text: markdown, page: null, sourceUrl: 'https://example.com/handbook' },
    ]);
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([
      ['Handbook'],
      ['Handbook', 'Refunds'],
      ['Handbook', 'Refunds', 'Exceptions'],
      ['Handbook', 'Shipping'],
    ]);
    expect(chunks[3].text).toContain('# not a heading inside code');
    expect(chunks.every((chunk) => chunk.sourceUrl === 'https://example.com/handbook')).toBe(true);
  });

  it('keeps chunks within their page and cuts a token longer than the size', () => {
    const chunks = new Chunker({ size: 100, overlap: 10 }).split([
      { text: 'Page one text.', page: 1, sourceUrl: null },
      { text: 'x'.repeat(250), page: 2, sourceUrl: null },
    ]);
    expect(chunks[0]).toMatchObject({ page: 1, text: 'Page one text.' });
    expect(chunks.slice(1).every((chunk) => chunk.page === 2)).toBe(true);
    expect(chunks.slice(1).every((chunk) => chunk.text.length <= 100)).toBe(true);
  });

  it('is deterministic', () => {
    const text = Array.from({ length: 30 }, (_, i) => sentence(i)).join('\n');
    const chunker = new Chunker({ size: 200, overlap: 40 });
    expect(chunker.split([{ text, page: null, sourceUrl: null }])).toEqual(
      chunker.split([{ text, page: null, sourceUrl: null }]),
    );
  });
});

describe('headingBlocks', () => {
  it('drops empty blocks and keeps text before the first heading without a path', () => {
    expect(headingBlocks('preface\n\n# A\n\n# B\nbody')).toEqual([
      { headingPath: [], text: 'preface\n' },
      { headingPath: ['A'], text: '# A\n' },
      { headingPath: ['B'], text: '# B\nbody' },
    ]);
  });
});
