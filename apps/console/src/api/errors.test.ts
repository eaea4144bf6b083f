import { describe, expect, it } from 'vitest';

import { ApiError, apiErrorOf, fieldErrorsOf, messageOf } from './errors';

describe('API errors', () => {
  it('keeps the gateway’s code and message', () => {
    const error = apiErrorOf(409, { statusCode: 409, code: 'CONFLICT', message: 'slug taken' });
    expect(error).toMatchObject({ status: 409, code: 'CONFLICT', message: 'slug taken' });
  });

  it('says something useful for bodies without a message', () => {
    expect(apiErrorOf(502, undefined).message).toMatch(/server had a problem/);
    expect(apiErrorOf(0, undefined).message).toMatch(/could not be reached/);
    expect(apiErrorOf(404, 'Not Found')).toMatchObject({ code: 'HTTP_404' });
  });

  it('maps VALIDATION_FAILED details to their top-level fields', () => {
    const error = apiErrorOf(400, {
      code: 'VALIDATION_FAILED',
      message: 'email: invalid',
      details: [
        { field: 'email', message: 'Invalid email address' },
        { field: 'branding.logo_url', message: 'Invalid URL' },
        { field: 'branding.title', message: 'Too long' },
        { nonsense: true },
      ],
    });
    expect(fieldErrorsOf(error)).toEqual({
      email: 'Invalid email address',
      branding: 'Invalid URL',
    });
    expect(fieldErrorsOf(new Error('x'))).toEqual({});
  });

  it('gives a message for anything thrown', () => {
    expect(messageOf(new ApiError(400, 'X', 'bad'))).toBe('bad');
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf('?')).toBe('Something went wrong.');
  });
});
