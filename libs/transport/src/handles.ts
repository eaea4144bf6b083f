import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Observable } from 'rxjs';

import {
  MESSAGES,
  type ReplyOf,
  type RequestPattern,
  type StreamPattern,
  ZodPipe,
} from '@tenantbot/contracts';

import { StreamsContext } from './streams.server';

/** What a handler of pattern `P` may return: an Observable for a streamed reply. */
export type HandlerResult<P extends RequestPattern> = P extends StreamPattern
  ? Observable<ReplyOf<P>>
  : ReplyOf<P> | Promise<ReplyOf<P>>;

/**
 * `@MessagePattern(pattern)` for a pattern of the message map, and a compile-time check that
 * the method returns the pattern's reply: `@Handles(CHAT.SEND) send(...): Promise<ChatResponse>`.
 */
export function Handles<P extends RequestPattern>(pattern: P) {
  return <Handler extends (...args: never[]) => HandlerResult<P>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<Handler>,
  ): void => {
    MessagePattern(pattern)(target, key, descriptor);
  };
}

/**
 * The message's payload parsed by its pattern's request schema (400 VALIDATION_FAILED, or
 * INVALID_REQUEST for a NUL, otherwise): `@ValidPayload(CHAT.SEND) request: ParsedRequestOf<…>`.
 */
export function ValidPayload(pattern: RequestPattern): ParameterDecorator {
  return Payload(new ZodPipe(MESSAGES[pattern].request));
}

/**
 * The id of the transport request being handled, the same on every delivery of it: a request
 * run again on another replica (its first one died before replying) keeps it. Undefined when
 * the handler is not called by the Redis Streams transport.
 */
export const TransportRequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const rpc = context.switchToRpc().getContext<unknown>();
    return rpc instanceof StreamsContext ? rpc.getArgs()[1].id : undefined;
  },
);

/**
 * Whether this delivery of the transport request is not its first: it was claimed from a
 * replica that had read it (and may have done its work before dying). A request read for the
 * first time cannot have been handled before: its id is new with each request sent. False
 * when the handler is not called by the Redis Streams transport.
 */
export const TransportRedelivery = createParamDecorator(
  (_data: unknown, context: ExecutionContext): boolean => {
    const rpc = context.switchToRpc().getContext<unknown>();
    return rpc instanceof StreamsContext && rpc.isRedelivery();
  },
);
