import type { z } from 'zod';

import { DomainError, ErrorCode } from './errors';

export interface FieldProblem {
  field: string;
  message: string;
}

export const NUL_MESSAGE = 'must not contain NUL characters';

/**
 * Parses input with a schema, or fails with VALIDATION_FAILED naming each bad field.
 *
 * No string anywhere in the input (values or keys) may hold a NUL character: PostgreSQL text
 * and jsonb cannot store one, so it would otherwise fail deep in a service as an internal
 * error. Every message is parsed here, at the gateway and again in the service, so the rule
 * holds for every field of every schema. Such input fails with INVALID_REQUEST, naming the
 * fields, before the schema is looked at.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const nulFields = fieldsWithNul(input);
  if (nulFields.length > 0) {
    throwProblems(
      nulFields.map((field) => ({ field: field || '(body)', message: NUL_MESSAGE })),
      ErrorCode.INVALID_REQUEST,
    );
  }
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  throwProblems(
    result.error.issues.map((issue) => ({
      field:
        issue.path.join('.') ||
        (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(body)'),
      message:
        issue.code === 'unrecognized_keys'
          ? `unknown field(s): ${issue.keys.join(', ')}`
          : issue.message,
    })),
  );
}

function throwProblems(
  problems: FieldProblem[],
  code: ErrorCode = ErrorCode.VALIDATION_FAILED,
): never {
  throw new DomainError(
    code,
    problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
    problems,
  );
}

/**
 * The dotted paths of every string (or object key) in `value` that holds a NUL character.
 * Iterative: a hostile body may nest deeper than the call stack.
 */
export function fieldsWithNul(value: unknown): string[] {
  const found: string[] = [];
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      if (item.includes('\0')) {
        found.push(path);
      }
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\0')) {
          found.push(childPath);
        } else {
          pending.push([child, childPath]);
        }
      }
    }
  }
  return found.reverse();
}

/**
 * `parseOrThrow` as a Nest pipe, so that a route or a message handler receives its input
 * parsed and typed: `@Body(new ZodPipe(userCreateSchema)) body: UserCreate`, or
 * `@Payload(new ZodPipe(schema))`. Errors are parseOrThrow's: 400 VALIDATION_FAILED naming
 * each field, INVALID_REQUEST for a NUL character. (A Nest `PipeTransform` by its shape: the
 * contracts depend on no framework.)
 */
export class ZodPipe<S extends z.ZodType> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseOrThrow(this.schema, value);
  }
}
