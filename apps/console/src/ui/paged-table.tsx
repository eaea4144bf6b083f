import type { ReactNode } from 'react';

import { hasMore, type Loaded, type Noun, shownOf } from '../lib/paging';
import { AsyncView, Button } from './components';
import type { PagedListState } from './use-paged-list';

/** A table with its caption (what it lists, for screen readers too) and column headers. */
export function DataTable({
  caption,
  columns,
  className,
  children,
}: {
  caption: string;
  className?: string;
  /** The headers; an empty one is an actions column, named for screen readers only. */
  columns: readonly string[];
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className={className}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column || 'actions'}>
                {column || <span className="sr-only">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** How much of a paged list is shown, and the button that shows the next page. */
export function LoadMore({
  list,
  noun,
  busy,
  onMore,
}: {
  list: Loaded<unknown>;
  noun: Noun;
  busy: boolean;
  onMore: () => void;
}) {
  return (
    <div className="load-more">
      <p className="hint" role="status">
        {shownOf(list, noun)}
      </p>
      {hasMore(list) && (
        <Button onClick={onMore} busy={busy}>
          Load more {noun.many}
        </Button>
      )}
    </div>
  );
}

/** A paged list as a table: loading, error and empty states, the rows, and "Load more". */
export function PagedTable<T extends { id: string }>({
  state,
  what,
  noun,
  empty,
  caption,
  columns,
  className,
  children,
}: {
  state: PagedListState<T>;
  /** "the documents": in the loading and error messages. */
  what: string;
  /** In "Showing 20 of 45 documents" and the button. */
  noun: Noun;
  empty: ReactNode;
  caption: string;
  columns: readonly string[];
  className?: string;
  /** The rows of the items loaded so far. */
  children: (items: T[]) => ReactNode;
}) {
  return (
    <AsyncView state={state} what={what} isEmpty={(list) => list.items.length === 0} empty={empty}>
      {(list) => (
        <>
          <DataTable caption={caption} columns={columns} className={className}>
            {children(list.items)}
          </DataTable>
          <LoadMore
            list={list}
            noun={noun}
            busy={state.loadingMore}
            onMore={() => void state.loadMore()}
          />
        </>
      )}
    </AsyncView>
  );
}
