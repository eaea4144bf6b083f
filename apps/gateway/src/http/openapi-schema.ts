import { z } from 'zod';

/**
 * The schema as OpenAPI (3.0) sees it. No longer needed on routes: the document reads the
 * routes' `ZodPipe`s and `@ApiReply` (apps/gateway/src/openapi); kept for routes written before.
 */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete jsonSchema.$schema;
  return jsonSchema;
}
