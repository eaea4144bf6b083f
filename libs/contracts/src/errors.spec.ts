import { describe, expect, it } from '@jest/globals';

import { DomainError, ErrorCode, httpStatusFor, isErrorBody } from './errors';
import { serviceOfPattern } from './services';

describe('DomainError', () => {
  it('maps its code to an HTTP status and survives a round trip through its body', () => {
    const error = new DomainError(ErrorCode.TENANT_MISMATCH, 'X-Tenant-ID names another tenant', {
      header: 'X-Tenant-ID',
    });
    expect(error.status).toBe(403);
    const copy = DomainError.fromBody(JSON.parse(JSON.stringify(error.toBody())));
    expect(copy).toBeInstanceOf(DomainError);
    expect(copy.toBody()).toEqual(error.toBody());
  });

  it('treats unknown codes as internal errors', () => {
    expect(httpStatusFor('SOMETHING_NEW')).toBe(500);
    expect(httpStatusFor(ErrorCode.TIMEOUT)).toBe(504);
  });

  it('recognises error bodies only with a string code and message', () => {
    expect(isErrorBody({ code: 'X', message: 'y' })).toBe(true);
    expect(isErrorBody({ code: 1, message: 'y' })).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });
});

describe('serviceOfPattern', () => {
  it('takes the first segment of "<service>.<action>"', () => {
    expect(serviceOfPattern('tenants.users.list')).toBe('tenants');
    expect(() => serviceOfPattern('nodot')).toThrow(/must be/);
  });
});
