import createClient from 'openapi-fetch';

import { apiErrorOf } from './errors';
import type { paths } from './schema';
import { Session } from './session';

const origin = typeof window === 'undefined' ? 'http://localhost' : window.location.origin;

/** The one session of the console, in memory. */
export const session = new Session(origin);

/** The typed client of the gateway's API, generated from its OpenAPI document (schema.d.ts). */
export const api = createClient<paths>({ baseUrl: origin, fetch: session.fetch });

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The body of a 2xx answer, typed by the caller until the OpenAPI document describes the
 * responses (pending-schemas.ts); any other status throws an ApiError with the API's message.
 */
export async function unwrap<T>(answer: Promise<Answer>): Promise<T> {
  let result: Answer;
  try {
    result = await answer;
  } catch {
    throw apiErrorOf(0, undefined);
  }
  if (!result.response.ok) {
    throw apiErrorOf(result.response.status, result.error);
  }
  return result.data as T;
}

/**
 * Path parameters (`{id}`) the OpenAPI document does not declare yet (the gateway validates
 * them with ZodPipe, which Swagger does not see): typed loosely until it does.
 */
export function pathParams(values: Record<string, string>): never {
  return values as never;
}
