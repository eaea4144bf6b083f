import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CHAT,
  chatRequestSchema,
  parseOrThrow,
  type ChatResponse,
  type ChatStreamEvent,
  type ModelsReply,
} from '@tenantbot/contracts';
import { Observable } from 'rxjs';
import { ChatService } from './chat.service';

/** The chat service's exchange handlers: validate, then one service call each. */
@Controller()
export class ChatController {
  constructor(@Inject(ChatService) private readonly chat: ChatService) {}

  @MessagePattern(CHAT.SEND)
  send(@Payload() payload: unknown): Promise<ChatResponse> {
    return this.chat.send(parseOrThrow(chatRequestSchema, payload));
  }

  /**
   * Streams the answer. The transport unsubscribes when the caller does: the teardown aborts
   * the exchange, and with it the provider's HTTP request.
   */
  @MessagePattern(CHAT.STREAM)
  stream(@Payload() payload: unknown): Observable<ChatStreamEvent> {
    const request = parseOrThrow(chatRequestSchema, payload);
    return new Observable<ChatStreamEvent>((subscriber) => {
      const cancel = new AbortController();
      this.chat
        .stream(request, cancel.signal, (event) => subscriber.next(event))
        .then(
          () => subscriber.complete(),
          (error: unknown) => subscriber.error(error),
        );
      return () => cancel.abort();
    });
  }

  @MessagePattern(CHAT.MODELS)
  models(): Promise<ModelsReply> {
    return this.chat.models();
  }
}
