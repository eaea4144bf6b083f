import { Controller } from '@nestjs/common';
import { Observable } from 'rxjs';

import {
  type Caller,
  CHAT,
  type ChatResponse,
  type ChatStreamEvent,
  type ParsedRequestOf,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import {
  Handles,
  TransportRedelivery,
  TransportRequestId,
  ValidPayload,
} from '@tenantbot/transport';

import { ChatService } from './chat.service';

/** The chat service's exchange handlers: one service call each. */
@Controller()
export class ChatHandler {
  constructor(private readonly chat: ChatService) {}

  @Handles(CHAT.SEND)
  send(
    @CurrentCaller() caller: Caller,
    @ValidPayload(CHAT.SEND) request: ParsedRequestOf<typeof CHAT.SEND>,
    @TransportRequestId() transportRequestId: string | undefined,
    @TransportRedelivery() redelivered: boolean,
  ): Promise<ChatResponse> {
    return this.chat.send(caller, request, { transportRequestId, firstDelivery: !redelivered });
  }

  /**
   * Streams the answer. The transport unsubscribes when the caller does: the teardown aborts
   * the exchange, and with it the provider's HTTP request.
   */
  @Handles(CHAT.STREAM)
  stream(
    @CurrentCaller() caller: Caller,
    @ValidPayload(CHAT.STREAM) request: ParsedRequestOf<typeof CHAT.STREAM>,
    @TransportRequestId() transportRequestId: string | undefined,
    @TransportRedelivery() redelivered: boolean,
  ): Observable<ChatStreamEvent> {
    return new Observable<ChatStreamEvent>((subscriber) => {
      const cancel = new AbortController();
      this.chat
        .stream(caller, request, cancel.signal, (event) => subscriber.next(event), {
          transportRequestId,
          firstDelivery: !redelivered,
        })
        .then(
          () => subscriber.complete(),
          (error: unknown) => subscriber.error(error),
        );
      return () => cancel.abort();
    });
  }
}
