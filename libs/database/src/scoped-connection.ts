import { type Kysely, sql } from 'kysely';

import type { Queries, Schema } from './schema';

/**
 * Runs work in a transaction on one connection of the pool. The first round trip both begins
 * it and runs `scopeStatement` (one simple query), where Kysely's own transaction would spend
 * one on BEGIN alone; tenant work is mostly a few short statements, so that round trip counts
 * (bench/README.md, ADR 6).
 */
export function inTransaction<T>(
  db: Kysely<Schema>,
  scopeStatement: string | undefined,
  work: (queries: Queries) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql.raw(scopeStatement ? `BEGIN; ${scopeStatement}` : 'BEGIN').execute(connection);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      await sql
        .raw('ROLLBACK')
        .execute(connection)
        .catch(() => undefined);
      throw error;
    }
    await sql.raw('COMMIT').execute(connection);
    return result;
  });
}
