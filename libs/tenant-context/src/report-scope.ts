import { DomainError, ErrorCode, type PlatformCaller } from '@tenantbot/contracts';

/** Whose data a report covers: one tenant's, or the whole platform's (a super admin's view). */
export type ReportScope = { kind: 'tenant'; tenantId: string } | { kind: 'platform' };

/**
 * The scope the caller may report on. A tenant admin sees its own tenant only; a super admin
 * the tenant it names (in the query or the context), or else the whole platform. Everyone
 * else is refused, whatever the gateway or the admin service already checked.
 */
export function reportScopeOf(caller: PlatformCaller, requestedTenant?: string): ReportScope {
  if (caller.role === 'super_admin') {
    const tenantId = requestedTenant ?? caller.tenantId;
    return tenantId ? { kind: 'tenant', tenantId } : { kind: 'platform' };
  }
  if (caller.role !== 'tenant_admin') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'requires tenant_admin or super_admin');
  }
  if (!caller.tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this report needs a tenant in its context');
  }
  if (requestedTenant && requestedTenant !== caller.tenantId) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'a tenant admin sees its own tenant only');
  }
  return { kind: 'tenant', tenantId: caller.tenantId };
}

/** The tenant a report names in its reply: null for the platform. */
export function tenantOf(scope: ReportScope): string | null {
  return scope.kind === 'tenant' ? scope.tenantId : null;
}
