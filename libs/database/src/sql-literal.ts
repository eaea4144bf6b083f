import { escapeLiteral } from 'pg';

export type SqlValue = string | number | boolean | null | readonly string[];

/**
 * A value written into SQL text as a literal, for a statement sent as a simple query, which
 * has no parameters (`TenantDatabase.statement`, through `inlineParameters`). Strings are
 * quoted by node-postgres's `escapeLiteral`; a string array becomes an array literal (cast
 * it, e.g. `::uuid[]`).
 */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) {
    return 'NULL';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    return numberLiteral(value);
  }
  if (typeof value === 'string') {
    return quoted(value);
  }
  return quoted(`{${value.map(arrayElement).join(',')}}`);
}

function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${value} has no SQL literal`);
  }
  // In parentheses, a minus sign can never meet another one and start a `--` comment.
  return value < 0 ? `(${value})` : String(value);
}

function quoted(text: string): string {
  // A simple query is a C string: a NUL would cut it short. Postgres text cannot hold one anyway.
  if (text.includes('\0')) {
    throw new RangeError('a SQL literal cannot hold a NUL character');
  }
  return escapeLiteral(text);
}

/** An element of an array literal: double-quoted, its quotes and backslashes escaped. */
function arrayElement(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}
