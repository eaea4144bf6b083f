import type { z } from 'zod';
import { DomainError, ErrorCode } from './errors';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Parses input with a schema, or fails with VALIDATION_FAILED naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems: FieldProblem[] = result.error.issues.map((issue) => ({
    field:
      issue.path.join('.') ||
      (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(body)'),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s): ${issue.keys.join(', ')}`
        : issue.message,
  }));
  throw new DomainError(
    ErrorCode.VALIDATION_FAILED,
    problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
    problems,
  );
}
