import { DomainError, ErrorCode } from './errors';
import type { Role } from './roles';
import type { VISITOR_ROLE } from './widgets';

declare const tenantIdBrand: unique symbol;

/**
 * A tenant's id that has been checked to be one (a UUID). Repositories take it, never a plain
 * string, so a query cannot be written without its tenant.
 */
export type TenantId = string & { readonly [tenantIdBrand]: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(value: unknown): value is TenantId {
  return typeof value === 'string' && UUID.test(value);
}

/** The tenant id, checked; `TENANT_REQUIRED` when it is missing or not a UUID. */
export function tenantIdOf(value: unknown): TenantId {
  if (!isTenantId(value)) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'a valid tenant id is required');
  }
  return value;
}

/**
 * Who sends a message, in which tenant: the first parameter of every service method. The
 * gateway sets it in the request context; a message handler receives it with `@CurrentCaller()`.
 */
export interface Caller {
  requestId: string;
  tenantId: TenantId;
  role: Role | typeof VISITOR_ROLE;
  userId?: string;
  apiKeyId?: string;
  /** A website visitor of a widget: owns only its own conversations of that widget. */
  visitor?: { visitorId: string; widgetId: string };
}

/**
 * A caller that may act outside any tenant: the super admin's platform views and reports. The
 * tenant is there when the request names one. Handlers receive it with `@CurrentPlatformCaller()`.
 */
export interface PlatformCaller extends Omit<Caller, 'tenantId'> {
  tenantId?: TenantId;
}
