import { DomainError, ErrorCode, type Role, type VISITOR_ROLE } from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

/** Who sends the message, in which tenant, as the transport's request context says. */
export interface Caller {
  requestId: string;
  tenantId: string;
  role: Role | typeof VISITOR_ROLE;
  userId?: string;
  apiKeyId?: string;
  /** A website visitor of a widget: owns only its own conversations of that widget. */
  visitor?: { visitorId: string; widgetId: string };
}

/** Roles that see and continue every conversation of their tenant (handoffs, support). */
const TENANT_WIDE_ROLES: readonly string[] = ['super_admin', 'tenant_admin', 'agent'];

/**
 * The caller of the message being handled. Services check access themselves, whatever the
 * gateway already checked.
 */
export function currentCaller(): Caller {
  const context = currentContext();
  if (!context?.tenantId) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this message needs a tenant in its context');
  }
  const principal = context.principal;
  const visitor =
    principal?.role === 'visitor' && principal.visitorId && principal.widgetId
      ? { visitorId: principal.visitorId, widgetId: principal.widgetId }
      : undefined;
  if (!principal || (!principal.userId && !principal.apiKeyId && !visitor)) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  return {
    requestId: context.requestId,
    tenantId: context.tenantId,
    role: principal.role,
    userId: principal.userId,
    apiKeyId: principal.apiKeyId,
    visitor,
  };
}

/** Readonly principals read history; they do not chat. */
export function currentChatter(): Caller {
  const caller = currentCaller();
  if (caller.role === 'readonly') {
    throw new DomainError(ErrorCode.FORBIDDEN, 'the readonly role cannot send messages');
  }
  return caller;
}

export function seesWholeTenant(caller: Caller): boolean {
  return TENANT_WIDE_ROLES.includes(caller.role);
}
