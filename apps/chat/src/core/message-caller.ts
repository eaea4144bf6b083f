import {
  type Caller,
  DomainError,
  ErrorCode,
  type TenantId,
  tenantIdOf,
} from '@tenantbot/contracts';
import { currentContext, type Principal } from '@tenantbot/tenant-context';

/**
 * Who sent the message being handled, read once in the handler and passed to the service as
 * its first argument. (To be replaced by the contracts' `@Caller()` parameter decorator.)
 */
export function messageCaller(): Caller {
  if (!currentContext()?.tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this message needs a tenant in its context');
  }
  const { tenantId, ...caller } = messageReporter();
  if (!tenantId || (!caller.userId && !caller.apiKeyId && !caller.visitor)) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  return { tenantId, ...caller };
}

/** A caller whose tenant may be absent: a super admin's platform-wide report. */
export type ReportCaller = Omit<Caller, 'tenantId'> & { tenantId?: TenantId };

/** The caller of a report message, authenticated; its tenant, if any, checked. */
export function messageReporter(): ReportCaller {
  const context = currentContext();
  const principal = context?.principal;
  if (!context || !principal) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  return {
    requestId: context.requestId,
    tenantId: context.tenantId === undefined ? undefined : tenantIdOf(context.tenantId),
    role: principal.role,
    userId: principal.userId,
    apiKeyId: principal.apiKeyId,
    visitor: visitorOf(principal),
  };
}

function visitorOf(principal: Principal): Caller['visitor'] {
  return principal.role === 'visitor' && principal.visitorId && principal.widgetId
    ? { visitorId: principal.visitorId, widgetId: principal.widgetId }
    : undefined;
}
