import type { FastifyRequest } from 'fastify';

/**
 * The origin of the page that made a request. Browsers send `Origin` on every cross-origin
 * request (and on WebSocket upgrades), but not on a same-origin GET: a request without one
 * comes from a page of the API's own origin (the demo page) or from no browser at all, and is
 * treated as the API's own origin, which a widget allows only if it lists it.
 */
export function pageOriginOf(request: FastifyRequest): string {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    return origin.toLowerCase();
  }
  return `${request.protocol}://${request.host}`.toLowerCase();
}
