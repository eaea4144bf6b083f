import { type Caller, DomainError, ErrorCode } from '@tenantbot/contracts';

/** Who may change a tenant's knowledge base, and who may read its documents (as the gateway). */
export const CURATORS: readonly Caller['role'][] = ['super_admin', 'tenant_admin'];
export const READERS: readonly Caller['role'][] = [...CURATORS, 'agent'];

/** FORBIDDEN unless the caller has one of the roles, whatever the gateway already checked. */
export function requireRole(caller: Caller, roles: readonly Caller['role'][]): void {
  if (!roles.includes(caller.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `requires ${roles.join(' or ')}`);
  }
}
