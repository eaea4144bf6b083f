import { Injectable, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';

import { parseOrThrow } from '@tenantbot/contracts';

/** Validates a body, query or params against the message's schema (the one the service uses too). */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseOrThrow(this.schema, value);
  }
}

export const validated = <S extends z.ZodType>(schema: S) => new ZodValidationPipe(schema);

/** The schema as OpenAPI (3.0) sees it, for @ApiBody / @ApiResponse. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete jsonSchema.$schema;
  return jsonSchema;
}
