import { DomainError, ErrorCode } from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

/** The tenant of the message being handled: only ever from the transport's request context. */
export function requestTenant(): string {
  const tenantId = currentContext()?.tenantId;
  if (!tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this message needs a tenant in its context');
  }
  return tenantId;
}
