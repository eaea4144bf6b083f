import { Injectable } from '@nestjs/common';
import { Observable, tap } from 'rxjs';

import {
  CHAT,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
} from '@tenantbot/contracts';
import { type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';

import { HttpMetrics } from '../http/http-metrics';

/** Covers the whole fallback chain (two remote providers × CHAT_PROVIDER_TIMEOUT_MS) and local. */
export const CHAT_TIMEOUT_MS = 150_000;

/**
 * The chat service's answers, on every channel (JSON, SSE, WebSocket), with the tokens and
 * cost of each answer counted in the metrics by tenant and model.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly transport: RedisStreamsClient,
    private readonly metrics: HttpMetrics,
  ) {}

  async answer(caller: RequestContext, request: ChatRequest): Promise<ChatResponse> {
    const answer = await runWithContext(caller, () =>
      this.transport.request(CHAT.SEND, request, { timeoutMs: CHAT_TIMEOUT_MS }),
    );
    this.count(caller, answer);
    return answer;
  }

  /** A model's answer counts; a message a person took spent nothing. */
  private count(caller: RequestContext, answer: ChatResponse): void {
    if (answer.handled_by === 'bot') {
      this.metrics.chatAnswered(caller.tenantId, answer);
    }
  }

  /** The streamed answer, as it arrives: deltas, then one `done`. Sent when subscribed. */
  stream(caller: RequestContext, request: ChatRequest): Observable<ChatStreamEvent> {
    // Subscribe inside the context, so that it travels with the call.
    return new Observable<ChatStreamEvent>((subscriber) =>
      runWithContext(caller, () =>
        this.transport
          .call(CHAT.STREAM, request, { timeoutMs: CHAT_TIMEOUT_MS })
          .subscribe(subscriber),
      ),
    ).pipe(
      tap((event) => {
        if (event.type === 'done') {
          this.count(caller, event);
        }
      }),
    );
  }
}
