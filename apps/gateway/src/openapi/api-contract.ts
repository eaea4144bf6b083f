import type { z } from 'zod';

import type { ErrorCode } from '@tenantbot/contracts';

/**
 * What a route answers and may fail with, for the OpenAPI document (openapi-document.ts).
 * Its inputs need no decorator: the document reads the schemas of the route's `ZodPipe`s
 * (`@Body`, `@Query`, `@Param`), the ones that validate the request. Security comes from
 * `@Public()`, `@Roles()` and `@VisitorAllowed()`; common errors from those and the inputs.
 */

export const API_REPLIES = 'tenantbot:openapi:replies';
export const API_ERRORS = 'tenantbot:openapi:errors';
export const API_INPUT = 'tenantbot:openapi:input';

export interface ReplyContract {
  /** Defaults to the route's status: `@HttpCode`, else 201 for POST and 200 for the rest. */
  status?: number;
  /** The body's schema; none for a reply without a body (204). */
  schema?: z.ZodType;
  /** `application/json` unless said otherwise (`text/plain`, `text/event-stream`, …). */
  mediaTypes?: string[];
  description?: string;
  example?: unknown;
}

/** The multipart form of an upload: its fields, each a file or a text. */
export interface MultipartForm {
  files: string[];
  fields?: string[];
}

export interface InputContract {
  /** A body the route parses itself (not through a `ZodPipe`). */
  body?: z.ZodType;
  /** A multipart form the route also takes, beside a JSON body. */
  multipart?: MultipartForm;
  /** A query the route parses itself. */
  query?: z.ZodObject;
  /** An example of the JSON body, for Swagger UI and clients' documentation. */
  example?: unknown;
}

function appendTo<T>(key: string, value: T): MethodDecorator {
  return (_target, _property, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as object;
    const current = (Reflect.getMetadata(key, handler) as T[] | undefined) ?? [];
    Reflect.defineMetadata(key, [...current, value], handler);
    return descriptor;
  };
}

/** A success reply of the route: `@ApiReply(documentViewSchema)`; `@ApiReply()` for a 204. */
export function ApiReply(schema?: z.ZodType, options: Omit<ReplyContract, 'schema'> = {}) {
  return appendTo<ReplyContract>(API_REPLIES, { ...options, schema });
}

/** The error codes this route answers beyond the common ones (authentication, validation). */
export function ApiErrors(...codes: ErrorCode[]) {
  return appendTo<ErrorCode[]>(API_ERRORS, codes);
}

/** Input the route parses by hand, a multipart form, or an example of its body. */
export function ApiInput(input: InputContract) {
  return appendTo<InputContract>(API_INPUT, input);
}

/** In the order written (decorators apply bottom-up). */
export function repliesOf(handler: object): ReplyContract[] {
  const replies = (Reflect.getMetadata(API_REPLIES, handler) as ReplyContract[] | undefined) ?? [];
  return [...replies].reverse();
}

export function errorsOf(handler: object): ErrorCode[] {
  return ((Reflect.getMetadata(API_ERRORS, handler) as ErrorCode[][] | undefined) ?? []).flat();
}

export function inputOf(handler: object): InputContract {
  const inputs = (Reflect.getMetadata(API_INPUT, handler) as InputContract[] | undefined) ?? [];
  return Object.assign({}, ...inputs) as InputContract;
}
