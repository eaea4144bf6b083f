import { Pool } from 'pg';

/**
 * A `pg` pool of one role. It connects lazily: an unused one costs nothing.
 *
 * A connection that PostgreSQL closes (a restart, a failover, a network cut) emits `error`:
 * from the pool while it is idle, from the client itself while a transaction holds it between
 * two statements. Unheard, either event would end the process. Nothing more is needed than
 * to hear them: the pool drops an idle connection itself, and a held one fails its next
 * statement, after which the transaction discards it.
 */
export function createPool(url: string, size: number, applicationName: string): Pool {
  const pool = new Pool({
    connectionString: url,
    max: size,
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
  });
  // The pool re-emits an idle client's error, which the client's own listener has logged.
  pool.on('error', () => undefined);
  pool.on('connect', (client) =>
    client.on('error', (error) => warnConnectionLost(applicationName, error)),
  );
  return pool;
}

function warnConnectionLost(applicationName: string, error: Error): void {
  process.stderr.write(
    `${JSON.stringify({
      level: 'warn',
      time: new Date().toISOString(),
      service: applicationName,
      msg: 'a database connection was closed by the server; the pool opens a new one',
      error: error.message,
    })}\n`,
  );
}
