import { describe, expect, it } from 'vitest';

import { appendPage, hasMore, type Loaded, pageOffsets, shownOf } from './paging';
import {
  isFiltered,
  NO_AGENT_FILTER,
  NO_DOCUMENT_FILTER,
  platformAgentsQuery,
  platformDocumentsQuery,
} from './platform';

const rows = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => ({ id: `c${from + index}` }));
const page = (items: { id: string }[], offset: number, total: number) => ({
  items,
  total,
  limit: 20,
  offset,
});

describe('paged lists', () => {
  it('reaches the 21st of 25 waiting conversations with a second page', () => {
    const first = appendPage(undefined, page(rows(1, 20), 0, 25));
    expect(first.items).toHaveLength(20);
    expect(hasMore(first)).toBe(true);
    const noun = { one: 'conversation', many: 'conversations' };
    expect(shownOf(first, noun)).toBe('Showing 20 of 25 conversations');
    expect(shownOf({ items: [{}], total: 1 }, noun)).toBe('Showing 1 of 1 conversation');
    const both = appendPage(first, page(rows(21, 25), 20, 25));
    expect(both.items.map((item) => item.id)).toEqual(rows(1, 25).map((item) => item.id));
    expect(both.items[20].id).toBe('c21');
    expect(hasMore(both)).toBe(false);
  });

  it('shows a row once when the list moved between two pages, and takes the newest total', () => {
    const first = appendPage(undefined, page(rows(1, 20), 0, 30));
    // One conversation was claimed away: the next page starts one row earlier.
    const next = appendPage(first, page(rows(20, 29), 20, 29));
    expect(next.items.map((item) => item.id)).toEqual(rows(1, 29).map((item) => item.id));
    expect(next.total).toBe(29);
  });

  it('refetches every page shown on a refresh, and at least the first', () => {
    expect(pageOffsets(0, 20)).toEqual([0]);
    expect(pageOffsets(20, 20)).toEqual([0]);
    expect(pageOffsets(21, 20)).toEqual([0, 20]);
    expect(pageOffsets(45, 20)).toEqual([0, 20, 40]);
    expect(hasMore(undefined)).toBe(false);
    const empty: Loaded<unknown> = { items: [], total: 0 };
    expect(hasMore(empty)).toBe(false);
  });
});

describe("the super admin's views across companies", () => {
  it('asks the documents route only for the filters that are set', () => {
    expect(platformDocumentsQuery(NO_DOCUMENT_FILTER, 0, 50)).toEqual({ offset: 0, limit: 50 });
    expect(
      platformDocumentsQuery(
        { tenantId: 't-1', status: 'failed', kind: 'url', text: '  handbook ' },
        50,
        50,
      ),
    ).toEqual({
      offset: 50,
      limit: 50,
      tenant_id: 't-1',
      status: 'failed',
      kind: 'url',
      q: 'handbook',
    });
    // A kind the API does not know is left out rather than refused.
    expect(platformDocumentsQuery({ ...NO_DOCUMENT_FILTER, kind: 'exe' }, 0, 50)).toEqual({
      offset: 0,
      limit: 50,
    });
  });

  it('asks the agents route for a role, a company and a search no longer than the API takes', () => {
    expect(platformAgentsQuery(NO_AGENT_FILTER, 0, 50)).toEqual({ offset: 0, limit: 50 });
    const query = platformAgentsQuery(
      { tenantId: 't-2', role: 'user', text: 'x'.repeat(250) },
      0,
      50,
    );
    expect(query).toMatchObject({ tenant_id: 't-2', role: 'user' });
    expect(query.q).toHaveLength(200);
    expect(platformAgentsQuery({ ...NO_AGENT_FILTER, text: '   ' }, 0, 50)).not.toHaveProperty('q');
  });

  it('knows a filtered list from an empty platform', () => {
    expect(isFiltered(NO_DOCUMENT_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_AGENT_FILTER, text: ' ' })).toBe(false);
    expect(isFiltered({ ...NO_AGENT_FILTER, role: 'agent' })).toBe(true);
  });
});
