import { describe, expect, it } from '@jest/globals';
import type { Observable } from 'rxjs';

import {
  ACCESS_EVENTS,
  type Caller,
  CHAT,
  type ChatResponse,
  type ChatStreamEvent,
  type ModelsReply,
  type ParsedRequestOf,
  RAG,
  type SearchReply,
  TENANTS,
} from '@tenantbot/contracts';

import { Handles } from './handles';
import type { MessageClient } from './message-client';
import type { RedisStreamsClient } from './streams.client';

/**
 * Type-level tests: `tsc -p tsconfig.json` (npm run check) compiles this file, and every
 * `@ts-expect-error` line must fail to compile for the check to pass. Jest only runs the
 * placeholder below; the functions are never called.
 */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when the value's type is exactly `Expected`. */
function expectType<Expected>() {
  return <Actual>(_value: Actual, ..._exact: Equal<Actual, Expected> extends true ? [] : [never]) =>
    undefined;
}

export async function typedCalls(client: MessageClient) {
  const answer = await client.request(CHAT.SEND, { message: 'hello' });
  expectType<ChatResponse>()(answer);

  const search = await client.request(RAG.SEARCH, { query: 'refunds', top_k: 3 });
  expectType<SearchReply>()(search);

  // A request that needs no field may leave its body out; options still fit after it.
  const models = await client.request(CHAT.MODELS);
  expectType<ModelsReply>()(models);
  await client.request(TENANTS.USER_LIST, {}, { timeoutMs: 1000 });

  const events = client.call(CHAT.STREAM, { message: 'hello' });
  expectType<Observable<ChatStreamEvent>>()(events);

  // @ts-expect-error the body lacks `message`
  await client.request(CHAT.SEND, { model: 'gpt-4o' });
  // @ts-expect-error a field of the wrong type
  await client.request(CHAT.SEND, { message: 42 });
  // @ts-expect-error a field the request does not have
  await client.request(CHAT.SEND, { message: 'hello', tenant_id: 'other' });
  // @ts-expect-error a body is required
  await client.request(RAG.SEARCH);
  // @ts-expect-error the pattern decides the reply: a type argument does not compile
  await client.request<ChatResponse>(CHAT.SEND, { message: 'hello' });
  // @ts-expect-error a pattern missing from the message map
  await client.request('chat.unknown', {});
  // @ts-expect-error a request without fields takes none
  await client.request(CHAT.MODELS, { model: 'x' });
}

export async function typedBroadcasts(client: RedisStreamsClient) {
  await client.broadcast(ACCESS_EVENTS.CHANGED, { kind: 'user', tenantId: null, userId: 'u' });
  // @ts-expect-error an access change names what changed
  await client.broadcast(ACCESS_EVENTS.CHANGED, { kind: 'user', tenantId: null });
  // A pattern outside the event map carries anything.
  await client.broadcast('test.changed', { anything: true });
}

/** The transport's client answers the typed calls the same way. */
export async function transportClientCalls(client: RedisStreamsClient) {
  const typed: MessageClient = client;
  const answer = await client.request(CHAT.SEND, { message: 'hello' });
  expectType<ChatResponse>()(answer);
  // A pattern outside the map (a test's own service) answers `unknown`: no caller-chosen type.
  const echoed = await client.request('echo.work', { n: 1 });
  expectType<unknown>()(echoed);
  // @ts-expect-error no caller-chosen reply type, even on the concrete client
  await client.request<ChatResponse>(CHAT.SEND, { message: 'hello' });
  // @ts-expect-error nor for a pattern outside the map
  await client.request<ChatResponse>('echo.work', { n: 1 });
  // @ts-expect-error a mapped pattern still checks its body on the concrete client
  await client.request(CHAT.SEND, { model: 'gpt-4o' });
  const stream = client.call(CHAT.STREAM, { message: 'hello' });
  expectType<Observable<ChatStreamEvent>>()(stream);
  // @ts-expect-error no caller-chosen type for a streamed reply either
  client.call<ChatStreamEvent>('echo.stream', {});
  const somePattern: string = CHAT.SEND;
  // @ts-expect-error a pattern typed as any string could be a mapped one: its body is unchecked
  await client.request(somePattern, { message: 42 });
  // The escape hatch for tests of refused input sends any body and answers `unknown`.
  const refused = await client.requestUnchecked(CHAT.SEND, { message: 42 });
  expectType<unknown>()(refused);
  return typed;
}

export class HandlerReplyChecks {
  @Handles(CHAT.SEND)
  send(_caller: Caller, _request: ParsedRequestOf<typeof CHAT.SEND>): Promise<ChatResponse> {
    throw new Error('never called');
  }

  // @ts-expect-error the handler of chat.models must answer a ModelsReply
  @Handles(CHAT.MODELS)
  models(): Promise<SearchReply> {
    throw new Error('never called');
  }

  // @ts-expect-error a streamed reply is an Observable of its values
  @Handles(CHAT.STREAM)
  stream(): Promise<ChatStreamEvent> {
    throw new Error('never called');
  }
}

describe('typed messages', () => {
  it('are checked by the compiler (tsc compiles this file)', () => {
    expect(typeof typedCalls).toBe('function');
  });
});
