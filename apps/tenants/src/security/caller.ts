import {
  type Caller,
  DomainError,
  ErrorCode,
  isTenantId,
  type Role,
  type TenantId,
} from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

/**
 * Who sends a message to the tenants service. Unlike the other services' callers, it may act
 * outside any tenant: the super admin's platform views name none.
 */
export type TenantsCaller = Omit<Caller, 'tenantId'> & { tenantId: TenantId | null };

/**
 * The caller of the message being handled, read once by its handler from the transport's
 * request context. Services never read the context: they take the caller as a parameter.
 */
export function callerOfMessage(): TenantsCaller {
  const context = currentContext();
  const principal = context?.principal;
  if (!context || !principal) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  return {
    requestId: context.requestId,
    tenantId: context.tenantId ? tenantIdFrom(context.tenantId) : null,
    role: principal.role,
    userId: principal.userId,
    apiKeyId: principal.apiKeyId,
  };
}

/** The tenant a message acts for, whoever sends it (services acting for a tenant send none). */
export function tenantOfMessage(): TenantId {
  return requireTenant({ tenantId: tenantIdFrom(currentContext()?.tenantId) });
}

/** Services check access themselves, whatever the gateway already checked. */
export function requireRole(caller: TenantsCaller, ...roles: Role[]): void {
  if (!(roles as readonly string[]).includes(caller.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `requires one of the roles: ${roles.join(', ')}`);
  }
}

export function requireTenant(caller: Pick<TenantsCaller, 'tenantId'>): TenantId {
  if (!caller.tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this call needs a tenant (X-Tenant-ID)');
  }
  return caller.tenantId;
}

export function isSuperAdmin(caller: TenantsCaller): boolean {
  return caller.role === 'super_admin';
}

function tenantIdFrom(value: string | undefined): TenantId | null {
  if (value === undefined || value === '') {
    return null;
  }
  if (!isTenantId(value)) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'a valid tenant id is required');
  }
  return value;
}
