import { finalize, from, type Observable, tap } from 'rxjs';

import type { ChatDoneEvent, ChatResponse, ChatStreamEvent } from '@tenantbot/contracts';

import type { KeyClaim } from '../idempotency/idempotent-requests';

/**
 * A streamed answer that, once done, is stored as its Idempotency-Key's first answer; a
 * stream that fails or is cut off lets the key go, so the request may be retried with it.
 */
export function storingAnswer(
  claim: KeyClaim,
  events: Observable<ChatStreamEvent>,
): Observable<ChatStreamEvent> {
  let answer: ChatResponse | undefined;
  return events.pipe(
    tap((event) => {
      if (event.type === 'done') {
        answer = answerOf(event);
      }
    }),
    finalize(() => void (answer ? claim.complete(answer) : claim.release())),
  );
}

/** A stored answer, streamed again: the whole text as one delta, then `done`. */
export function replayedAnswer(answer: ChatResponse): Observable<ChatStreamEvent> {
  const events: ChatStreamEvent[] = [
    { type: 'delta', content: answer.response },
    { type: 'done', ...answer },
  ];
  return from(events);
}

function answerOf({ type: _done, ...answer }: ChatDoneEvent): ChatResponse {
  return answer;
}
