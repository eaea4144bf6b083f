import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import type { Logger } from '@tenantbot/observability';

/**
 * On SIGTERM or SIGINT: stop accepting connections and let the requests and streams in flight
 * end (for up to `drainMs`) while the transport is still up, then close the app. Nest's own
 * shutdown hooks close the providers (the transport client among them) before the HTTP
 * server, which cut every request and SSE stream still running into a 500.
 */
export function drainOnSignals(app: NestFastifyApplication, logger: Logger, drainMs: number): void {
  let draining = false;
  const drain = (signal: NodeJS.Signals) => {
    if (draining) {
      return;
    }
    draining = true;
    logger.info({ signal }, 'draining: no new connections, waiting for requests in flight');
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
    void Promise.race([app.getHttpAdapter().getInstance().close(), timeUp])
      .then(() => {
        clearTimeout(timer);
        return app.close();
      })
      .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', drain);
  process.once('SIGINT', drain);
}
