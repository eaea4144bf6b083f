import { describe, expect, it } from '@jest/globals';

import { searchQuery } from './retrieval.service';

describe('searchQuery', () => {
  it('turns control characters into spaces and collapses whitespace', () => {
    expect(searchQuery('  return\u0000a\tparcel\n\n  ')).toBe('return a parcel');
  });

  it('cuts a long message to what rag.retrieve takes, and leaves nothing of blank text', () => {
    expect(searchQuery('word '.repeat(1000))).toHaveLength(1999);
    expect(searchQuery('\u0000 \u0001 ')).toBe('');
  });
});
