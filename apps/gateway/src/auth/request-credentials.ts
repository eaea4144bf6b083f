import type { FastifyRequest } from 'fastify';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

/** The Bearer of `Authorization`: an access token, an API key or a visitor token. */
export function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'send Authorization: Bearer <token or API key>');
  }
  return match[1];
}

export function tenantHeaderOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-tenant-id'];
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 200) : undefined;
}

/** The request's host name, without a port, for tenants on custom domains. */
export function hostOf(request: FastifyRequest): string | undefined {
  const host = request.hostname.split(':')[0]?.toLowerCase();
  return host ? host.slice(0, 253) : undefined;
}

/** Where a request points: its X-Tenant-ID and its Host. */
export function tenantReferenceOf(request: FastifyRequest): {
  tenantRef?: string;
  host?: string;
} {
  return { tenantRef: tenantHeaderOf(request), host: hostOf(request) };
}
