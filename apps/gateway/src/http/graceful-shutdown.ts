import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

import type { Logger } from '@tenantbot/observability';

export interface DrainTimes {
  /** The longest the requests and streams in flight are waited for. */
  drainMs: number;
  /** How long idle keep-alive connections stay open after the signal; see `drainHttpServer`. */
  lingerMs: number;
}

/**
 * On SIGTERM or SIGINT: stop accepting connections and let the requests and streams in flight
 * end (for up to `drainMs`) while the transport is still up, then close the app. Nest's own
 * shutdown hooks close the providers (the transport client among them) before the HTTP
 * server, which cut every request and SSE stream still running into a 500.
 */
export function drainOnSignals(
  app: NestFastifyApplication,
  logger: Logger,
  times: DrainTimes,
): void {
  let draining = false;
  const drain = (signal: NodeJS.Signals) => {
    if (draining) {
      return;
    }
    draining = true;
    logger.info({ signal }, 'draining: no new connections, waiting for requests in flight');
    void drainHttpServer(app.getHttpAdapter().getInstance(), times)
      .then(() => app.close())
      .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', drain);
  process.once('SIGINT', drain);
}

/**
 * Stops listening and resolves once every connection has ended, or after `drainMs`.
 *
 * Closing an idle keep-alive connection races with a client that is sending on it at that
 * moment: the request is reset before the server has read it, and HTTP/1.1 gives the client
 * no way to know whether it was applied. So idle connections are not closed at once (Node's
 * `server.close()` would): for `lingerMs` a request arriving on one is still served, with
 * `Connection: close` (Fastify sets it while closing), and the client retires that connection
 * knowingly. Only connections nobody used during the linger are closed at its end.
 */
export async function drainHttpServer(
  fastify: FastifyInstance,
  { drainMs, lingerMs }: DrainTimes,
): Promise<void> {
  const server: Server = fastify.server;
  const closeIdleConnections = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => undefined;
  const closed = fastify.close();
  const deadline = sleep(drainMs, 'deadline' as const);
  const lingerOver = await Promise.race([sleep(lingerMs, 'linger' as const), closed]);
  server.closeIdleConnections = closeIdleConnections;
  if (lingerOver === 'linger') {
    closeIdleConnections();
  }
  await Promise.race([closed, deadline]);
}
