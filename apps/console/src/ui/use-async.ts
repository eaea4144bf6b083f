import { useCallback, useEffect, useRef, useState } from 'react';

import { messageOf } from '../api/errors';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** Loads again; `quiet` keeps the current data on screen (polling). */
  reload: (quiet?: boolean) => Promise<void>;
}

/** Data loaded by `load`, again whenever `deps` change; the latest answer wins. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loader = useCallback(load, deps);

  const reload = useCallback(
    async (quiet = false) => {
      const mine = ++generation.current;
      if (!quiet) {
        setLoading(true);
      }
      try {
        const value = await loader();
        if (mine === generation.current) {
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
        }
      }
    },
    [loader],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, error, loading, reload };
}
