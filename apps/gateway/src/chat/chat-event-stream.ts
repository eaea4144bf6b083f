import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable, Subscription } from 'rxjs';

import type { ChatStreamEvent, Role } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { OpenStreamRecheck } from '../auth/open-stream-recheck';
import { bearerOf, tenantHeaderOf } from '../auth/request-credentials';
import { toHttpError } from '../http/error-response';
import { HttpMetrics } from '../http/http-metrics';
import { LOGGER } from '../tokens';

/** The roles that may chat, over HTTP and the WebSocket alike. */
export const CHATTERS = [
  'super_admin',
  'tenant_admin',
  'agent',
  'user',
] as const satisfies readonly Role[];

type SendEvent = (event: string, data: unknown) => void;

/**
 * An answer as Server-Sent Events, straight from the transport's streamed reply (nothing is
 * buffered), ended when the client goes away or its caller stops being valid.
 */
@Injectable()
export class ChatEventStream {
  constructor(
    private readonly recheck: OpenStreamRecheck,
    private readonly metrics: HttpMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  send(request: FastifyRequest, reply: FastifyReply, events: Observable<ChatStreamEvent>): void {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const send: SendEvent = (event, data) =>
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const subscription = events.subscribe({
      next: (event) => send(event.type, event),
      error: (error: unknown) => {
        send('error', toHttpError(error, request.id, this.logger));
        response.end();
      },
      complete: () => response.end(),
    });
    // A visitor's token is short-lived and checked against its widget on every request.
    const stopRecheck = request.visitorWidget
      ? () => undefined
      : this.watchCaller(request, response, subscription, send);
    // The client went away before the end: stop the model (the transport cancels on the replica).
    response.on('close', () => {
      stopRecheck();
      if (!response.writableEnded) {
        subscription.unsubscribe();
      }
    });
  }

  /** Ends the stream when its user, key or tenant stops being valid (OPEN_STREAM_RECHECK_MS). */
  private watchCaller(
    request: FastifyRequest,
    response: FastifyReply['raw'],
    subscription: Subscription,
    send: SendEvent,
  ): () => void {
    return this.recheck.watch(
      {
        bearer: bearerOf(request),
        where: { tenantRef: tenantHeaderOf(request), host: request.hostname.split(':')[0] },
        roles: CHATTERS,
        requestId: request.id,
      },
      {
        onEnd: (reason) => {
          if (response.writableEnded) {
            return;
          }
          this.metrics.streamEnded('sse', reason.code);
          send('error', toHttpError(reason, request.id, this.logger));
          subscription.unsubscribe();
          response.end();
        },
      },
    );
  }
}
