import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { DomainError, ErrorCode } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { toHttpError } from '../http/error-response';
import { HttpMetrics } from '../http/http-metrics';
import { LOGGER } from '../tokens';

export type UpgradeHandler = (
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
) => Promise<void>;

/**
 * The HTTP server's one `upgrade` listener: hands each upgrade to the WebSocket endpoint of its
 * path and refuses the others with 404. Endpoints `add` themselves when their module starts;
 * the listener is attached once the application has started and removed when it shuts down.
 * Node stops listening to a socket's errors when it hands it over, so from that moment on a
 * reset or a write to a peer that is gone is logged and ends that socket only, instead of
 * reaching the process as an unhandled `'error'` event.
 */
@Injectable()
export class UpgradeRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly endpoints = new Map<string, UpgradeHandler>();
  private server?: Server;
  private readonly listener = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.route(request, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: HttpMetrics,
  ) {}

  add(path: string, handler: UpgradeHandler): void {
    this.endpoints.set(path, handler);
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.listener);
  }

  onApplicationShutdown(): void {
    this.server?.off('upgrade', this.listener);
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    socket.on('error', (error: Error & { code?: string }) => {
      this.metrics.socketError(url.pathname, error.code ?? 'unknown');
      this.logger.info({ err: error, path: url.pathname }, 'upgraded connection failed');
      socket.destroy();
    });
    const handler = this.endpoints.get(url.pathname);
    if (!handler) {
      const notFound = new DomainError(ErrorCode.ROUTE_NOT_FOUND, 'no WebSocket at this path');
      return refuseUpgrade(socket, notFound, this.logger);
    }
    handler(request, socket, head, url).catch((error: unknown) =>
      refuseUpgrade(socket, error, this.logger),
    );
  }
}

/** Answers an upgrade with the JSON error of API.md (and Retry-After over a limit), then closes. */
export function refuseUpgrade(
  socket: Duplex,
  error: unknown,
  logger: Logger,
  requestId: string = randomUUID(),
): void {
  if (!socket.writable) {
    return void socket.destroy();
  }
  const refusal = toHttpError(error, requestId, logger);
  const body = JSON.stringify(refusal);
  const { statusCode, code } = refusal;
  const retryAfterSeconds = retryAfterOf(refusal);
  const retryAfter = retryAfterSeconds ? `Retry-After: ${retryAfterSeconds}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${statusCode} ${code}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-ID: ${requestId}\r\n${retryAfter}` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** The seconds a RATE_LIMITED refusal asks the client to wait, from its details. */
export function retryAfterOf(error: { details?: unknown }): number | undefined {
  const seconds = (error.details as { retry_after_s?: unknown } | undefined)?.retry_after_s;
  return typeof seconds === 'number' ? seconds : undefined;
}
