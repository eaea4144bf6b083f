/** Events every interested service receives once (one consumer group per service). */
export const TENANT_EVENTS = {
  /** `{ tenantId }`: the tenant and its users are gone; every service removes its data. */
  DELETED: 'tenant.deleted',
} as const;

export interface TenantDeletedEvent {
  tenantId: string;
}

/**
 * Broadcasts every live process receives (Redis pub/sub, not a consumer group): what makes a
 * cached caller or tenant configuration stale. Published by the tenants service after the
 * change committed; lost only when nobody listens, which caches cover with a short TTL.
 */
export const ACCESS_EVENTS = {
  CHANGED: 'access.changed',
} as const;

/**
 * `tenant`: updated, deactivated, created or deleted (its users and keys with it);
 * `user`: updated (active, role, password) or deleted; `api_key`: revoked.
 */
export type AccessChangedEvent =
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'user'; tenantId: string | null; userId: string }
  | { kind: 'api_key'; tenantId: string; apiKeyId: string };
