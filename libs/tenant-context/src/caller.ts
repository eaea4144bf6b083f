import { createParamDecorator } from '@nestjs/common';

import {
  type Caller,
  DomainError,
  ErrorCode,
  isTenantId,
  type PlatformCaller,
  type TenantId,
} from '@tenantbot/contracts';

import { currentContext, type RequestContext } from './request-context';

/**
 * The caller of a request that acts in a tenant: `TENANT_REQUIRED` without a valid tenant id,
 * `UNAUTHORIZED` without a principal that names who it is (a user, an API key or a widget's
 * visitor).
 */
export function callerOf(context: RequestContext | undefined): Caller {
  const tenantId = context?.tenantId;
  if (!isTenantId(tenantId)) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'this message needs a tenant in its context');
  }
  const caller = platformCallerOf(context);
  if (!caller.userId && !caller.apiKeyId && !caller.visitor) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  return { ...caller, tenantId };
}

/**
 * The caller of a request that may act outside any tenant (a super admin's platform view):
 * `UNAUTHORIZED` without a principal; the tenant, when the context names one, must be valid.
 */
export function platformCallerOf(context: RequestContext | undefined): PlatformCaller {
  const principal = context?.principal;
  if (!context || !principal) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
  }
  const visitor =
    principal.role === 'visitor' && principal.visitorId && principal.widgetId
      ? { visitorId: principal.visitorId, widgetId: principal.widgetId }
      : undefined;
  return {
    requestId: context.requestId,
    tenantId: optionalTenantId(context.tenantId),
    role: principal.role,
    userId: principal.userId,
    apiKeyId: principal.apiKeyId,
    visitor,
  };
}

function optionalTenantId(tenantId: string | undefined): TenantId | undefined {
  if (tenantId === undefined || tenantId === '') {
    return undefined;
  }
  if (!isTenantId(tenantId)) {
    throw new DomainError(ErrorCode.TENANT_REQUIRED, 'the tenant in context is not a valid id');
  }
  return tenantId;
}

/**
 * A message handler's parameter: the `Caller` of the message, from the request context the
 * transport restored. The handler passes it first to the service; nothing below reads the
 * context. `@CurrentCaller() caller: Caller`
 */
export const CurrentCaller = createParamDecorator((): Caller => callerOf(currentContext()));

/**
 * As `@CurrentCaller()`, for the messages that may act outside any tenant (a super admin's
 * platform views): the tenant is optional. `@CurrentPlatformCaller() caller: PlatformCaller`
 */
export const CurrentPlatformCaller = createParamDecorator((): PlatformCaller =>
  platformCallerOf(currentContext()),
);
