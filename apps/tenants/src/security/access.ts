import { DomainError, ErrorCode, type Role } from '@tenantbot/contracts';
import { currentContext, type Principal } from '@tenantbot/tenant-context';

/**
 * Services check access themselves, whatever the gateway already checked: a message can
 * only do what the principal in its context may do.
 */
export function requirePrincipal(): Principal {
  const principal = currentContext()?.principal;
  if (!principal) throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  return principal;
}

export function requireRole(...roles: Role[]): Principal {
  const principal = requirePrincipal();
  if (!(roles as readonly string[]).includes(principal.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `requires one of the roles: ${roles.join(', ')}`);
  }
  return principal;
}

export function requireTenantId(): string {
  const tenantId = currentContext()?.tenantId;
  if (!tenantId)
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this call needs a tenant (X-Tenant-ID)');
  return tenantId;
}

export function isSuperAdmin(): boolean {
  return currentContext()?.principal?.role === 'super_admin';
}
