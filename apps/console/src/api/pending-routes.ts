import { session } from './client';
import { apiErrorOf } from './errors';

/**
 * Routes of API.md that are not on this branch's API yet (the inbox of #16b): called without
 * the generated types, through the same session. When they merge, `npm run console:api`
 * types them and these calls move to `api.GET(...)`.
 */
export async function pendingRoute<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await session.fetch(
    new Request(new URL(path, window.location.origin), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const json: unknown =
    response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    throw apiErrorOf(response.status, json);
  }
  return json as T;
}
