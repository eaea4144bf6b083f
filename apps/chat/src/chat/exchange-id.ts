import { createHash, randomUUID } from 'node:crypto';

import type { Caller } from '@tenantbot/contracts';

/** Where an exchange was asked from: the transport request, the same on every delivery. */
export interface ExchangeOrigin {
  transportRequestId?: string;
  /**
   * The transport read the request for the first time (it was not claimed from a replica
   * that had it): no exchange of it can be stored yet, so none is looked up. Unset: look.
   */
  firstDelivery?: boolean;
}

export interface ExchangeIds {
  exchange: string;
  /** The id of the conversation the exchange starts, if it starts one. */
  newConversation: string;
}

/**
 * The exchange's id and its new conversation's: derived from the tenant and the transport
 * request, so every delivery of a request (run again on another replica after the first died
 * between its commit and its reply) is the same exchange; random without a transport request.
 */
export function exchangeIdsOf(
  { tenantId }: Pick<Caller, 'tenantId'>,
  { transportRequestId }: ExchangeOrigin,
): ExchangeIds {
  if (!transportRequestId) {
    return { exchange: randomUUID(), newConversation: randomUUID() };
  }
  return {
    exchange: nameBasedUuid(`${tenantId}\0${transportRequestId}\0exchange`),
    newConversation: nameBasedUuid(`${tenantId}\0${transportRequestId}\0conversation`),
  };
}

/** A SHA-256 digest laid out as a version-5-style (name-based) UUID. */
function nameBasedUuid(name: string): string {
  const digest = createHash('sha256').update(name).digest('hex');
  return [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `5${digest.slice(13, 16)}`,
    `${((parseInt(digest[16], 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
}
