import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { sqlLiteral } from '../../src';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

/** Each literal is checked by Postgres itself: sent as a simple query, it must read back as the value. */
describe('sqlLiteral', () => {
  const client = new pg.Client({ connectionString: ownerUrl });
  const readBack = async (literal: string) =>
    (await client.query<{ value: unknown }>(`SELECT ${literal} AS value`)).rows[0].value;

  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it.each([
    'refund policy',
    `it's "quoted"`,
    String.raw`back\slash and \' escaped quote`,
    `'); DROP TABLE tenants; --`,
    '$$ dollar $tag$ quoting $$',
    'ünïcödé, emoji 🚚 and a\nnew line\tand tab',
    '',
  ])('reads back the string %j unchanged', async (text) => {
    expect(await readBack(sqlLiteral(text))).toBe(text);
  });

  it('writes string arrays whose elements hold quotes, commas, braces and backslashes', async () => {
    const elements = ['plain', 'a,b', '{braced}', `"double" and 'single'`, String.raw`\N`, 'NULL'];
    expect(await readBack(`${sqlLiteral(elements)}::text[]`)).toEqual(elements);
    expect(await readBack(`${sqlLiteral([])}::uuid[]`)).toEqual([]);
  });

  it('writes numbers, booleans and null, a negative one safe after a minus sign', async () => {
    expect(await readBack(`1 - ${sqlLiteral(-2)}`)).toBe(3);
    expect(await readBack(`${sqlLiteral(1.5)}::float8`)).toBe(1.5);
    expect(await readBack(sqlLiteral(true))).toBe(true);
    expect(await readBack(sqlLiteral(null))).toBeNull();
  });

  it('refuses what has no literal: a NUL character, NaN and infinities', () => {
    expect(() => sqlLiteral('refund\0; DROP TABLE tenants')).toThrow(/NUL/);
    expect(() => sqlLiteral(['a\0'])).toThrow(/NUL/);
    expect(() => sqlLiteral(Number.NaN)).toThrow(RangeError);
    expect(() => sqlLiteral(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
