import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable, Subscription } from 'rxjs';

import type { ChatStreamEvent } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { OpenStreamRecheck } from '../auth/open-stream-recheck';
import { bearerOf, tenantReferenceOf } from '../auth/request-credentials';
import { CHATTERS } from '../chat/chat-event-stream';
import { toHttpError } from '../http/error-response';
import { LOGGER } from '../tokens';
import { toOpenAiError } from './openai-errors';
import { type ChunkFrame, deltaChunk, finishChunk, usageChunk } from './openai-translation';

export interface StreamOptions {
  frame: ChunkFrame;
  includeUsage: boolean;
}

/**
 * A completion as OpenAI's Server-Sent Events: `data: <chunk>` lines, the first with the
 * assistant's role, then the content deltas, the finishing chunk (with the `sources`
 * extension), the usage chunk when asked for, and `data: [DONE]`. The head is written with
 * the first event, so whatever fails before it (an unknown model, a budget) is an HTTP
 * error with its status; a failure after it is a `data: {"error": …}` event.
 */
@Injectable()
export class OpenAiEventStream {
  constructor(
    private readonly recheck: OpenStreamRecheck,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  send(
    request: FastifyRequest,
    reply: FastifyReply,
    events: Observable<ChatStreamEvent>,
    options: StreamOptions,
  ): void {
    reply.hijack();
    const response = reply.raw;
    const write = (data: unknown) =>
      response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    let started = false;
    const start = () => {
      if (started) {
        return;
      }
      started = true;
      response.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      write(deltaChunk(options.frame, { role: 'assistant', content: '' }, options.includeUsage));
    };
    const fail = (error: unknown) => {
      const openAi = toOpenAiError(toHttpError(error, request.id, this.logger));
      if (started) {
        write(openAi.body);
      } else {
        response.writeHead(openAi.statusCode, {
          ...(reply.getHeaders() as Record<string, string>),
          'Content-Type': 'application/json; charset=utf-8',
        });
        response.write(JSON.stringify(openAi.body));
      }
      response.end();
    };
    const subscription = events.subscribe({
      next: (event) => {
        start();
        if (event.type === 'delta') {
          write(deltaChunk(options.frame, { content: event.content }, options.includeUsage));
          return;
        }
        write(finishChunk(options.frame, event, options.includeUsage));
        if (options.includeUsage) {
          write(usageChunk(options.frame, event));
        }
      },
      error: fail,
      complete: () => {
        start();
        write('[DONE]');
        response.end();
      },
    });
    const stopRecheck = this.watchCaller(request, response, subscription, fail);
    response.on('close', () => {
      stopRecheck();
      if (!response.writableEnded) {
        subscription.unsubscribe();
      }
    });
  }

  /** Ends the stream when its key, user or tenant stops being valid (OPEN_STREAM_RECHECK_MS). */
  private watchCaller(
    request: FastifyRequest,
    response: FastifyReply['raw'],
    subscription: Subscription,
    fail: (error: unknown) => void,
  ): () => void {
    return this.recheck.watch(
      {
        bearer: bearerOf(request),
        where: tenantReferenceOf(request),
        roles: CHATTERS,
        requestId: request.id,
      },
      {
        onEnd: (reason) => {
          if (response.writableEnded) {
            return;
          }
          subscription.unsubscribe();
          fail(reason);
        },
      },
    );
  }
}
