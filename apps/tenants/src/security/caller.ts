import { createParamDecorator } from '@nestjs/common';

import {
  type Caller,
  DomainError,
  ErrorCode,
  type PlatformCaller,
  type Role,
  type TenantId,
  tenantIdOf,
} from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

/**
 * A handler's parameter for messages that services send while acting for a tenant (no
 * principal needed): the tenant of the request context. `TENANT_REQUIRED` without one.
 */
export const ActingTenant = createParamDecorator((): TenantId =>
  tenantIdOf(currentContext()?.tenantId),
);

/** Services check access themselves, whatever the gateway already checked. */
export function requireRole(caller: Caller | PlatformCaller, ...roles: Role[]): void {
  if (!(roles as readonly string[]).includes(caller.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `requires one of the roles: ${roles.join(', ')}`);
  }
}

/** The tenant a platform caller names; `TENANT_REQUIRED` when it names none. */
export function requireTenant(caller: PlatformCaller): TenantId {
  if (!caller.tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this call needs a tenant (X-Tenant-ID)');
  }
  return caller.tenantId;
}
