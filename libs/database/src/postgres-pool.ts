import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';

import type { Schema } from './schema';

/** A `pg` pool and the Kysely over it. The pool connects lazily: an unused one costs nothing. */
export function createPostgresPool(
  url: string,
  size: number,
  applicationName: string,
): { pool: Pool; db: Kysely<Schema> } {
  const pool = new Pool({
    connectionString: url,
    max: size,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  });
  return { pool, db: new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }) };
}
