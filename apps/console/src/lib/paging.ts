import type { Page } from '../api/types';

/** The rows of a list loaded so far, page after page, and how many the API has in all. */
export interface Loaded<T> {
  items: T[];
  total: number;
}

/**
 * The list after one more page: its rows appended in order, each row once (a row that moved
 * to a later page while the list changed is not shown twice), and the total the page tells.
 */
export function appendPage<T extends { id: string }>(
  current: Loaded<T> | undefined,
  page: Page<T>,
): Loaded<T> {
  const items = current ? [...current.items] : [];
  const seen = new Set(items.map((item) => item.id));
  for (const item of page.items) {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      items.push(item);
    }
  }
  return { items, total: page.total };
}

/** The pages to fetch again to refresh a list showing `shown` rows: at least the first. */
export function pageOffsets(shown: number, pageSize: number): number[] {
  const pages = Math.max(1, Math.ceil(shown / pageSize));
  return Array.from({ length: pages }, (_, index) => index * pageSize);
}

/** Whether the API has rows beyond those shown. */
export function hasMore(list: Loaded<unknown> | undefined): boolean {
  return list !== undefined && list.items.length < list.total;
}

/** What a list counts: "document" and "documents". */
export interface Noun {
  one: string;
  many: string;
}

/** "Showing 20 of 45 documents", "Showing 1 of 1 document". */
export function shownOf(list: Loaded<unknown>, noun: Noun): string {
  return `Showing ${list.items.length} of ${list.total} ${list.total === 1 ? noun.one : noun.many}`;
}
