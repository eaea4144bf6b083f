import { Pool } from 'pg';

/** A `pg` pool of one role. It connects lazily: an unused one costs nothing. */
export function createPool(url: string, size: number, applicationName: string): Pool {
  return new Pool({
    connectionString: url,
    max: size,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  });
}
