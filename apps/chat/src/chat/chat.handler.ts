import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Observable } from 'rxjs';

import {
  CHAT,
  chatRequestSchema,
  type ChatResponse,
  type ChatStreamEvent,
  parseOrThrow,
} from '@tenantbot/contracts';

import { messageCaller } from '../core/message-caller';
import { ChatService } from './chat.service';

/** The chat service's exchange handlers: validate, then one service call each. */
@Controller()
export class ChatHandler {
  constructor(private readonly chat: ChatService) {}

  @MessagePattern(CHAT.SEND)
  send(@Payload() payload: unknown): Promise<ChatResponse> {
    const request = parseOrThrow(chatRequestSchema, payload);
    return this.chat.send(messageCaller(), request);
  }

  /**
   * Streams the answer. The transport unsubscribes when the caller does: the teardown aborts
   * the exchange, and with it the provider's HTTP request.
   */
  @MessagePattern(CHAT.STREAM)
  stream(@Payload() payload: unknown): Observable<ChatStreamEvent> {
    const request = parseOrThrow(chatRequestSchema, payload);
    const caller = messageCaller();
    return new Observable<ChatStreamEvent>((subscriber) => {
      const cancel = new AbortController();
      this.chat
        .stream(caller, request, cancel.signal, (event) => subscriber.next(event))
        .then(
          () => subscriber.complete(),
          (error: unknown) => subscriber.error(error),
        );
      return () => cancel.abort();
    });
  }
}
