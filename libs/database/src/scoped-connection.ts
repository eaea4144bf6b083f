import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';
import type { Pool, PoolClient } from 'pg';

import type { Queries, Schema } from './schema';

/**
 * Runs work in a transaction on one connection of the pool. The first round trip both begins
 * it and runs `scopeStatement` (one simple query), where Kysely's own transaction would spend
 * one on BEGIN alone; tenant work is mostly a few short statements, so that round trip counts
 * (ADR 6). A connection whose transaction could not be begun or ended cleanly is discarded, not
 * returned to the pool in an unknown state.
 */
export async function inTransaction<T>(
  pool: Pool,
  scopeStatement: string | undefined,
  work: (queries: Queries) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let discard = false;
  try {
    await client.query(scopeStatement ? `BEGIN; ${scopeStatement}` : 'BEGIN').catch(fail);
    let result: T;
    try {
      result = await work(queriesOn(client));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (discard = true));
      throw error;
    }
    await client.query('COMMIT').catch(fail);
    return result;
  } finally {
    client.release(discard);
  }

  function fail(error: unknown): never {
    discard = true;
    throw error;
  }
}

// One Kysely per pooled connection, made on its first transaction and reused with it: building
// a Kysely per transaction cost more client CPU than the transaction's own statements.
const queriesOfClient = new WeakMap<PoolClient, Queries>();

function queriesOn(client: PoolClient): Queries {
  let queries = queriesOfClient.get(client);
  if (!queries) {
    queries = new Kysely<Schema>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new OpenTransactionDriver(client),
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    queriesOfClient.set(client, queries);
  }
  return queries;
}

const COUNTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** Kysely's driver for a connection whose transaction `inTransaction` opened and will end. */
class OpenTransactionDriver implements Driver {
  private readonly connection: DatabaseConnection;

  constructor(client: PoolClient) {
    this.connection = {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        const result = await client.query(query.sql, [...query.parameters]);
        return {
          rows: result.rows,
          numAffectedRows: COUNTED_COMMANDS.has(result.command)
            ? BigInt(result.rowCount ?? 0)
            : undefined,
        };
      },
      streamQuery(): never {
        throw new Error('streaming is not supported inside a scoped transaction');
      },
    };
  }

  // The connection is the pool's: nothing to set up, release or close here.
  init(): Promise<void> {
    return Promise.resolve();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(this.connection);
  }

  beginTransaction(): Promise<void> {
    return Promise.reject(
      new Error('already in a transaction: pass the ScopedTransaction to join it'),
    );
  }

  commitTransaction(): Promise<void> {
    return this.beginTransaction();
  }

  rollbackTransaction(): Promise<void> {
    return this.beginTransaction();
  }

  releaseConnection(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): Promise<void> {
    return Promise.resolve();
  }
}
