/** Socket-level failures: the other side is down, restarting or unreachable. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  // PostgreSQL: shutting down, starting up, out of connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** Errors that carry no code, known by name or by their fixed message. */
const CONNECTION_ERROR_NAMES = new Set(['MaxRetriesPerRequestError', 'ChromaConnectionError']);
const CONNECTION_MESSAGES = [
  'Connection terminated', // pg: the server closed the connection
  'timeout exceeded when trying to connect', // pg-pool
  'Client has encountered a connection error', // pg
  'Connection is closed', // ioredis: Redis went away
  "Stream isn't writeable", // ioredis: offline queue disabled while reconnecting
];

/**
 * Whether an error says that a dependency (PostgreSQL, Redis, Chroma) cannot be reached right
 * now, rather than that the request or the code is wrong: such a failure is a 503 the caller
 * may retry, not a 500. Follows `cause` and TypeORM's `driverError`.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const candidate = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      cause?: unknown;
      driverError?: unknown;
    };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (CONNECTION_CODES.has(code) || code.startsWith('08')) {
      return true;
    }
    if (typeof candidate.name === 'string' && CONNECTION_ERROR_NAMES.has(candidate.name)) {
      return true;
    }
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (CONNECTION_MESSAGES.some((known) => message.includes(known))) {
      return true;
    }
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
