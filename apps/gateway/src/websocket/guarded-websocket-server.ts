import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocket, WebSocketServer } from 'ws';

import type { Logger } from '@tenantbot/observability';

import { toHttpError } from '../http/error-response';
import type { HttpMetrics } from '../http/http-metrics';
import { retryAfterOf } from './upgrade-router';

/**
 * A WebSocket endpoint's server whose sockets cannot take the process down. `ws` answers a
 * frame over `maxPayload` with close 1009, and a protocol error (invalid UTF-8 1007, unmasked
 * frame or bad opcode 1002) with its close code, then emits `'error'` on that socket: without a
 * listener that event would crash the gateway. Here it is logged and counted, and that socket
 * alone is closed. Every WebSocket endpoint of the gateway accepts its sockets through one.
 */
export class GuardedWebSocketServer {
  private readonly server: WebSocketServer;

  constructor(
    private readonly endpoint: string,
    maxPayload: number,
    private readonly logger: Logger,
    private readonly metrics: HttpMetrics,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload });
  }

  /** Completes the upgrade (`ws` refuses a bad handshake with 400 itself); `onOpen` gets the socket. */
  accept(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    onOpen: (ws: WebSocket) => void,
    logFields: Record<string, unknown> = {},
  ): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', (error: Error & { code?: string }) => {
        this.metrics.socketError(this.endpoint, error.code ?? 'unknown');
        this.logger.warn(
          { ...logFields, err: error, endpoint: this.endpoint },
          'WebSocket closed on a protocol error',
        );
      });
      onOpen(ws);
    });
  }
}

/** `{type: "error", code, message, …}`; over a limit, `retry_after_s` too. */
export function errorFrame(error: unknown, requestId: string, logger: Logger) {
  const body = toHttpError(error, requestId, logger);
  const retryAfter = retryAfterOf(body);
  return { type: 'error' as const, ...body, ...(retryAfter ? { retry_after_s: retryAfter } : {}) };
}

/**
 * Sends the reason as a last `error` frame, then closes with 4000 + its HTTP status (4401
 * UNAUTHORIZED, 4403 FORBIDDEN or TENANT_INACTIVE, 4503 SERVICE_UNAVAILABLE) and its code as the
 * close reason, so a client knows why without parsing the frame.
 */
export function endSocket(ws: WebSocket, reason: unknown, requestId: string, logger: Logger) {
  if (ws.readyState !== WebSocket.OPEN) {
    return;
  }
  const frame = errorFrame(reason, requestId, logger);
  ws.send(JSON.stringify(frame));
  ws.close(4000 + frame.statusCode, frame.code);
}
