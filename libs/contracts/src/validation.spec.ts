import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { DomainError } from './errors';
import { fieldsWithNul, parseOrThrow } from './validation';

describe('parseOrThrow', () => {
  const schema = z.strictObject({
    name: z.string(),
    tags: z.array(z.string()).optional(),
    meta: z.record(z.string(), z.string()).optional(),
  });

  function problemsOf(input: unknown) {
    try {
      parseOrThrow(schema, input);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return { code: (error as DomainError).code, details: (error as DomainError).details };
    }
    throw new Error('parsed');
  }

  it('refuses a NUL character in any string, naming the field', () => {
    expect(problemsOf({ name: 'a\0b' })).toEqual({
      code: 'INVALID_REQUEST',
      details: [{ field: 'name', message: 'must not contain NUL characters' }],
    });
    expect(problemsOf({ name: 'ok', tags: ['x', 'y\0'] }).details).toEqual([
      { field: 'tags.1', message: 'must not contain NUL characters' },
    ]);
    expect(problemsOf({ name: 'ok', meta: { ['k\0']: 'v' } }).details).toEqual([
      { field: 'meta.k\0', message: 'must not contain NUL characters' },
    ]);
    expect(problemsOf('\0').details).toEqual([
      { field: '(body)', message: 'must not contain NUL characters' },
    ]);
  });

  it('survives input nested deeper than the call stack', () => {
    let deep: unknown = 'x\0';
    for (let i = 0; i < 200_000; i++) {
      deep = [deep];
    }
    expect(fieldsWithNul(deep)).toHaveLength(1);
  });

  it('keeps other text, including other control characters, as it was', () => {
    expect(parseOrThrow(schema, { name: 'tab\there\u0001' })).toEqual({ name: 'tab\there\u0001' });
  });
});
