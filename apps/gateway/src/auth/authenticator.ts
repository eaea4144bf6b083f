import { createHash } from 'node:crypto';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import { JWT_CLAIMS } from '@tenantbot/config';
import {
  ACCESS_EVENTS,
  type AccessChangedEvent,
  type AuthenticatedPrincipal,
  type AuthenticatedTenant,
  type AuthenticateRequest,
  DomainError,
  ErrorCode,
  TENANTS,
} from '@tenantbot/contracts';
import { type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import { BroadcastEvictedCache, RedisStreamsClient } from '@tenantbot/transport';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface Authentication {
  principal: AuthenticatedPrincipal;
  tenant: AuthenticatedTenant | null;
}

/**
 * Credential → principal and tenant, for the guard, the open streams' re-checks and the
 * WebSocket upgrades: the gateway's one verification of access tokens (HS256 only, so
 * `alg: none` and key-confusion tokens fail; our issuer and audience; not expired), and the
 * check with the tenants service. What the tenants service answered is cached per process until a tenant, user or
 * key changes (its `access.changed` broadcast) or `ACCESS_CACHE_TTL_MS` passes (ADR caller cache).
 */
@Injectable()
export class Authenticator implements OnModuleInit {
  private readonly jwt = new JwtService();
  private readonly callers: BroadcastEvictedCache<Authentication>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly transport: RedisStreamsClient,
  ) {
    this.callers = new BroadcastEvictedCache<Authentication>(transport, {
      pattern: ACCESS_EVENTS.CHANGED,
      ttlMs: config.ACCESS_CACHE_TTL_MS,
      maxEntries: config.ACCESS_CACHE_MAX_ENTRIES,
      isStale: (authentication, event) =>
        isStaleAuthentication(authentication, event as AccessChangedEvent),
    });
  }

  onModuleInit(): Promise<void> {
    return this.callers.start();
  }

  async authenticate(
    bearer: string,
    where: { tenantRef?: string; host?: string },
    context: RequestContext,
  ): Promise<Authentication> {
    const credential: AuthenticateRequest = bearer.startsWith('tbk_')
      ? { kind: 'api_key', key: bearer }
      : await this.verifyJwt(bearer);
    return this.resolve(credential, where, context);
  }

  private resolve(
    credential: AuthenticateRequest,
    where: { tenantRef?: string; host?: string },
    context: RequestContext,
  ): Promise<Authentication> {
    return this.callers.get(
      cacheKeyOf(credential, where),
      () =>
        runWithContext(context, () =>
          this.transport.request(TENANTS.AUTH_AUTHENTICATE, {
            ...credential,
            tenant_ref: where.tenantRef,
            host: where.host,
          }),
        ),
      millisecondsLeft,
    );
  }

  private async verifyJwt(token: string): Promise<AuthenticateRequest> {
    try {
      const claims = await this.jwt.verifyAsync<{ sub?: string; tenant_id?: string | null }>(
        token,
        {
          secret: this.config.JWT_SECRET,
          algorithms: [JWT_CLAIMS.algorithm],
          issuer: JWT_CLAIMS.issuer,
          audience: JWT_CLAIMS.audience,
        },
      );
      if (!claims.sub) {
        throw new Error('no subject');
      }
      return { kind: 'jwt', user_id: claims.sub, tenant_id: claims.tenant_id ?? null };
    } catch {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid or expired access token');
    }
  }
}

/** The credential (an API key only as its hash) and where the request points. */
function cacheKeyOf(
  credential: AuthenticateRequest,
  where: { tenantRef?: string; host?: string },
): string {
  const subject =
    credential.kind === 'api_key'
      ? `key:${createHash('sha256').update(credential.key).digest('base64url')}`
      : `jwt:${credential.user_id}:${credential.tenant_id ?? ''}`;
  return `${subject}\n${where.tenantRef ?? ''}\n${where.host ?? ''}`;
}

/** An API key that expires is cached no longer than it is valid. */
function millisecondsLeft({ principal }: Authentication): number {
  return principal.expires_at ? Date.parse(principal.expires_at) - Date.now() : Infinity;
}

function isStaleAuthentication(
  { principal, tenant }: Authentication,
  event: AccessChangedEvent,
): boolean {
  switch (event.kind) {
    case 'tenant':
      // A tenant's new domain may claim a Host that resolved to no tenant.
      return (
        tenant === null || tenant.id === event.tenantId || principal.tenant_id === event.tenantId
      );
    case 'user':
      return principal.user_id === event.userId;
    case 'api_key':
      return principal.api_key_id === event.apiKeyId;
    default:
      return true; // an event of a newer tenants service: forget everything
  }
}

export function toRequestPrincipal(principal: AuthenticatedPrincipal) {
  return {
    role: principal.role,
    ...(principal.user_id ? { userId: principal.user_id } : {}),
    ...(principal.api_key_id ? { apiKeyId: principal.api_key_id } : {}),
  };
}
