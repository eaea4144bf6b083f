import { CHAT, type ChatRequest, type ChatStreamEvent } from '@tenantbot/contracts';
import { runWithContext, type RequestContext } from '@tenantbot/tenant-context';
import type { RedisStreamsClient } from '@tenantbot/transport';
import { Observable } from 'rxjs';

/** Covers the whole fallback chain (two remote providers × CHAT_PROVIDER_TIMEOUT_MS) and local. */
export const CHAT_TIMEOUT_MS = 150_000;

/** The chat service's streamed answer, as it arrives: deltas, then one `done`. */
export function chatStream(
  transport: RedisStreamsClient,
  context: RequestContext,
  request: ChatRequest,
): Observable<ChatStreamEvent> {
  // The call is sent when subscribed: subscribe inside the context so that it travels with it.
  return new Observable<ChatStreamEvent>((subscriber) =>
    runWithContext(context, () =>
      transport
        .call<ChatStreamEvent>(CHAT.STREAM, request, { timeoutMs: CHAT_TIMEOUT_MS })
        .subscribe(subscriber),
    ),
  );
}
