import createClient from 'openapi-fetch';

import { apiErrorOf } from './errors';
import type { paths } from './schema';
import { Session } from './session';

const origin = typeof window === 'undefined' ? 'http://localhost' : window.location.origin;

/** The one session of the console, in memory. */
export const session = new Session(origin);

/** The typed client of the gateway's API, generated from its OpenAPI document (schema.d.ts). */
export const api = createClient<paths>({ baseUrl: origin, fetch: session.fetch });

export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The body of a 2xx answer, typed by the caller (api/types.ts names the generated response
 * types); any other status throws an ApiError with the API's message.
 */
export async function unwrap<T>(answer: Promise<Answer<T>>): Promise<T> {
  let result: Answer<T>;
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

/** The JSON answer of `/admin/usage` (which also answers CSV with `format=csv`). */
export function usageJson<T>(answer: Promise<Answer<T | string>>): Promise<Answer<T>> {
  return answer as Promise<Answer<T>>;
}
