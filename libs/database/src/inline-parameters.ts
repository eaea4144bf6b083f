import type { CompiledQuery } from 'kysely';

import { sqlLiteral, type SqlValue } from './sql-literal';

/**
 * A compiled query's text with each `$n` replaced by its value as a SQL literal, for a simple
 * query (which has no parameters: `TenantDatabase.statement`). Placeholders inside quoted
 * strings, quoted identifiers and comments are left alone; dollar-quoted bodies are not
 * recognised, so a statement must not hold one (a read never needs one).
 */
export function inlineParameters(query: CompiledQuery): string {
  return query.sql.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$(\d+)/g,
    (token, index: string | undefined) =>
      index === undefined ? token : sqlLiteral(literalValue(query.parameters[Number(index) - 1])),
  );
}

function literalValue(value: unknown): SqlValue {
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value;
  }
  throw new TypeError(`a statement cannot inline a parameter of type ${typeof value}`);
}
