import { Pool } from 'pg';

/**
 * A `pg` pool of one role. It connects lazily: an unused one costs nothing.
 *
 * An idle connection that PostgreSQL closes (a restart, a failover) makes the pool emit
 * `error`; unheard, that event would end the process. The pool has already dropped the
 * connection, and the next query opens a new one, so a warning is all it takes.
 */
export function createPool(url: string, size: number, applicationName: string): Pool {
  const pool = new Pool({
    connectionString: url,
    max: size,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', (error) => warnIdleConnectionLost(applicationName, error));
  return pool;
}

function warnIdleConnectionLost(applicationName: string, error: Error): void {
  process.stderr.write(
    `${JSON.stringify({
      level: 'warn',
      time: new Date().toISOString(),
      service: applicationName,
      msg: 'an idle database connection was closed by the server; the pool opens a new one',
      error: error.message,
    })}\n`,
  );
}
