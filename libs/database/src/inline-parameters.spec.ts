import { describe, expect, it } from '@jest/globals';
import { CompiledQuery } from 'kysely';

import { inlineParameters } from './inline-parameters';

const inline = (sql: string, ...parameters: unknown[]) =>
  inlineParameters({ ...CompiledQuery.raw(sql), parameters });

describe('inlineParameters', () => {
  it('writes each parameter as a literal, from $1 to $10 and beyond', () => {
    const values = Array.from({ length: 11 }, (_, index) => index + 1);
    expect(inline('SELECT $1, $10, $11', ...values)).toBe('SELECT 1, 10, 11');
    expect(inline('SELECT $1, $2, $3, $4', "it's", null, true, -2)).toBe(
      "SELECT 'it''s', NULL, true, (-2)",
    );
  });

  it('writes dates, bigints and string arrays', () => {
    expect(inline('SELECT $1, $2, $3', new Date(0), 12n, ['a', 'b"c'])).toBe(
      `SELECT '1970-01-01T00:00:00.000Z', '12',  E'{"a","b\\\\"c"}'`,
    );
  });

  it('leaves placeholders in strings, quoted identifiers and comments alone', () => {
    expect(inline(`SELECT '$1', "$1", $1 -- $1\n/* $1 */`, 'x')).toBe(
      `SELECT '$1', "$1", 'x' -- $1\n/* $1 */`,
    );
  });

  it('refuses a value it cannot write safely', () => {
    expect(() => inline('SELECT $1', { a: 1 })).toThrow(TypeError);
    expect(() => inline('SELECT $1', [1, 2])).toThrow(TypeError);
    expect(() => inline('SELECT $1', 'a\0b')).toThrow(RangeError);
  });
});
