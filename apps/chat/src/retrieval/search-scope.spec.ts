import { describe, expect, it } from '@jest/globals';

import { searchScope } from './retrieval.service';

describe("searchScope (an assistant's knowledge as a search restriction)", () => {
  it('restricts nothing when the assistant names neither documents nor tags', () => {
    expect(searchScope({})).toEqual({});
  });

  it('passes the listed documents and tags, leaving out empty lists', () => {
    expect(searchScope({ document_ids: ['d1'], tags: [] })).toEqual({ document_ids: ['d1'] });
    expect(searchScope({ tags: ['billing'] })).toEqual({ tags: ['billing'] });
  });

  it('searches nothing for an assistant scoped to no document', () => {
    expect(searchScope({ document_ids: [] })).toBe('nothing');
    expect(searchScope({ document_ids: [], tags: [] })).toBe('nothing');
  });
});
