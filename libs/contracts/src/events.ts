/** Events every interested service receives once (one consumer group per service). */
export const TENANT_EVENTS = {
  /** `{ tenantId }`: the tenant and its users are gone; every service removes its data. */
  DELETED: 'tenant.deleted',
} as const;

export interface TenantDeletedEvent {
  tenantId: string;
}
