import type { Observable } from 'rxjs';

import type { EventPatternName, ReplyOf, RequestOf, RequestPattern } from '@tenantbot/contracts';

import type { CallOptions } from './options';

/** The body and options of a call; the body may be left out when the request needs no field. */
export type RequestArgs<P extends RequestPattern> =
  Record<string, never> extends RequestOf<P>
    ? [data?: RequestOf<P>, options?: CallOptions]
    : [data: RequestOf<P>, options?: CallOptions];

/**
 * A literal pattern the message map does not know (a test's own service), or never. A pattern
 * typed as any `string` is refused too: it could name a mapped pattern and skip the check of
 * its body (tests of refused input use `requestUnchecked`).
 */
export type OutsideTheMap<P extends string> = string extends P
  ? never
  : P extends RequestPattern
    ? never
    : P;

/** An event pattern the event map does not know (a test's own), or never. */
export type OutsideTheEvents<P extends string> = P extends EventPatternName ? never : P;

/**
 * Calls typed by the message map of `@tenantbot/contracts`: the pattern decides what the body
 * must be and what the reply is, so no call names a reply type of its own.
 */
export interface MessageClient {
  /** Sends a request and resolves with its reply (the last value of a streamed reply). */
  request<P extends RequestPattern>(pattern: P, ...args: RequestArgs<P>): Promise<ReplyOf<P>>;
  /** Sends a request; the Observable carries every value of the reply, then completes. */
  call<P extends RequestPattern>(pattern: P, ...args: RequestArgs<P>): Observable<ReplyOf<P>>;
}
