import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';

import type { DB } from './schema.generated';

/** The database's tables as Kysely sees them, generated from the migrations (`npm run db:types`). */
export type Schema = DB;

/**
 * What a repository's queries run on: a Kysely already scoped (a tenant's, or the platform's),
 * without what would leave or end the scope (its own transactions and connections, `destroy`).
 */
export type Queries = Omit<
  Kysely<Schema>,
  'connection' | 'transaction' | 'startTransaction' | 'destroy'
>;

/** A table's row as read, as inserted, as updated: `Row<'documents'>`. */
export type Row<Table extends keyof Schema> = Selectable<Schema[Table]>;
export type NewRow<Table extends keyof Schema> = Insertable<Schema[Table]>;
export type RowChanges<Table extends keyof Schema> = Updateable<Schema[Table]>;
