import { AsyncLocalStorage } from 'node:async_hooks';

import type { Role, VISITOR_ROLE } from '@tenantbot/contracts';

/**
 * Who is calling: a user (by JWT) or an API key acting with a role, or a website visitor
 * holding a widget's visitor token (role `visitor`, with the visitor and widget ids).
 */
export interface Principal {
  userId?: string;
  apiKeyId?: string;
  visitorId?: string;
  widgetId?: string;
  role: Role | typeof VISITOR_ROLE;
}

/**
 * What every unit of work knows about the request it serves. Set by the gateway, carried
 * inside every transport message, and restored around the handler on the receiving side.
 */
export interface RequestContext {
  requestId: string;
  tenantId?: string;
  principal?: Principal;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Narrows the context of the current async chain, e.g. once the tenant is resolved. */
export function updateContext(patch: Partial<RequestContext>): void {
  const context = storage.getStore();
  if (!context) {
    throw new Error('updateContext called outside of a request context');
  }
  Object.assign(context, patch);
}
