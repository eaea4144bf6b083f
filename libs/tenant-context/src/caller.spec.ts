import { randomUUID } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { DomainError } from '@tenantbot/contracts';

import { callerOf, platformCallerOf } from './caller';
import { reportScopeOf } from './report-scope';
import type { RequestContext } from './request-context';

const tenantId = randomUUID();
const userId = randomUUID();

function codeOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) {
      return error.code;
    }
    throw error;
  }
  throw new Error('no error');
}

describe('callerOf', () => {
  it('builds the caller from the request context the transport restored', () => {
    const context: RequestContext = {
      requestId: 'req-1',
      tenantId,
      principal: { role: 'agent', userId },
    };
    expect(callerOf(context)).toEqual({
      requestId: 'req-1',
      tenantId,
      role: 'agent',
      userId,
      apiKeyId: undefined,
      visitor: undefined,
    });
  });

  it("names a widget's visitor", () => {
    const visitor = { visitorId: 'v_abc', widgetId: randomUUID() };
    const context: RequestContext = {
      requestId: 'req-2',
      tenantId,
      principal: { role: 'visitor', ...visitor },
    };
    expect(callerOf(context).visitor).toEqual(visitor);
  });

  it('refuses a message without a valid tenant: TENANT_REQUIRED', () => {
    const principal = { role: 'agent' as const, userId };
    expect(codeOf(() => callerOf(undefined))).toBe('TENANT_REQUIRED');
    expect(codeOf(() => callerOf({ requestId: 'r', principal }))).toBe('TENANT_REQUIRED');
    expect(codeOf(() => callerOf({ requestId: 'r', tenantId: 'acme', principal }))).toBe(
      'TENANT_REQUIRED',
    );
  });

  it('refuses a message without a principal that says who it is: UNAUTHORIZED', () => {
    expect(codeOf(() => callerOf({ requestId: 'r', tenantId }))).toBe('UNAUTHORIZED');
    expect(
      codeOf(() => callerOf({ requestId: 'r', tenantId, principal: { role: 'tenant_admin' } })),
    ).toBe('UNAUTHORIZED');
    expect(
      codeOf(() =>
        callerOf({ requestId: 'r', tenantId, principal: { role: 'visitor', visitorId: 'v_x' } }),
      ),
    ).toBe('UNAUTHORIZED');
  });
});

describe('platformCallerOf', () => {
  it('takes a caller without a tenant, such as the super admin on the platform', () => {
    const caller = platformCallerOf({ requestId: 'r', principal: { role: 'super_admin' } });
    expect(caller.tenantId).toBeUndefined();
    expect(caller.role).toBe('super_admin');
  });

  it('refuses a message without a principal, or with a tenant that is not an id', () => {
    expect(codeOf(() => platformCallerOf({ requestId: 'r' }))).toBe('UNAUTHORIZED');
    expect(
      codeOf(() =>
        platformCallerOf({ requestId: 'r', tenantId: 'acme', principal: { role: 'super_admin' } }),
      ),
    ).toBe('TENANT_REQUIRED');
  });
});

describe('reportScopeOf', () => {
  const superAdmin = platformCallerOf({ requestId: 'r', principal: { role: 'super_admin' } });
  const tenantAdmin = callerOf({
    requestId: 'r',
    tenantId,
    principal: { role: 'tenant_admin', userId },
  });

  it('gives a super admin the platform, or the tenant it names', () => {
    expect(reportScopeOf(superAdmin)).toEqual({ kind: 'platform' });
    expect(reportScopeOf(superAdmin, tenantId)).toEqual({ kind: 'tenant', tenantId });
  });

  it('keeps a tenant admin to its own tenant and refuses other roles', () => {
    expect(reportScopeOf(tenantAdmin)).toEqual({ kind: 'tenant', tenantId });
    expect(codeOf(() => reportScopeOf(tenantAdmin, randomUUID()))).toBe('FORBIDDEN');
    expect(codeOf(() => reportScopeOf({ ...tenantAdmin, role: 'agent' }))).toBe('FORBIDDEN');
  });
});
