import { useCallback, useEffect, useRef, useState } from 'react';

import { messageOf } from '../api/errors';
import type { Page } from '../api/types';
import { appendPage, type Loaded, pageOffsets } from '../lib/paging';

export interface PagedListState<T> {
  data: Loaded<T> | undefined;
  error: string | undefined;
  loading: boolean;
  /** A next page is on its way. */
  loadingMore: boolean;
  /** From the first page again; `quiet` refetches every page shown and keeps them on screen. */
  reload: (quiet?: boolean) => Promise<void>;
  /** Appends the next page. */
  loadMore: () => Promise<void>;
}

/**
 * A list the API answers page by page (limit and offset, with a total), shown a page at a
 * time with "Load more". Loaded again from the first page whenever `deps` change; the latest
 * answer wins.
 */
export function usePagedList<T extends { id: string }>(
  loadPage: (offset: number, limit: number) => Promise<Page<T>>,
  deps: readonly unknown[],
  pageSize: number,
): PagedListState<T> {
  const [data, setData] = useState<Loaded<T>>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const generation = useRef(0);
  const shown = useRef(0);
  const loader = useCallback(loadPage, deps);

  const run = useCallback(async (work: () => Promise<Loaded<T>>) => {
    const mine = ++generation.current;
    try {
      const value = await work();
      if (mine === generation.current) {
        shown.current = value.items.length;
        setData(value);
        setError(undefined);
      }
    } catch (failure) {
      if (mine === generation.current) {
        setError(messageOf(failure));
      }
    } finally {
      if (mine === generation.current) {
        setLoading(false);
        setLoadingMore(false);
      }
    }
  }, []);

  const reload = useCallback(
    async (quiet = false) => {
      if (!quiet) {
        setLoading(true);
        setData(undefined);
        shown.current = 0;
      }
      const offsets = pageOffsets(shown.current, pageSize);
      await run(async () => {
        const pages = await Promise.all(offsets.map((offset) => loader(offset, pageSize)));
        return (
          pages.reduce<Loaded<T> | undefined>(appendPage, undefined) ?? {
            items: [],
            total: 0,
          }
        );
      });
    },
    [loader, pageSize, run],
  );

  const loadMore = useCallback(async () => {
    const current = data;
    setLoadingMore(true);
    await run(async () => appendPage(current, await loader(current?.items.length ?? 0, pageSize)));
  }, [data, loader, pageSize, run]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, error, loading, loadingMore, reload, loadMore };
}
