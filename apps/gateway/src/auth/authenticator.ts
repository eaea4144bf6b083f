import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JWT_CLAIMS } from '@tenantbot/config';
import {
  DomainError,
  ErrorCode,
  TENANTS,
  type AuthenticateRequest,
  type AuthenticatedPrincipal,
  type AuthenticatedTenant,
} from '@tenantbot/contracts';
import { runWithContext, type RequestContext } from '@tenantbot/tenant-context';
import { RedisStreamsClient } from '@tenantbot/transport';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface Authentication {
  principal: AuthenticatedPrincipal;
  tenant: AuthenticatedTenant | null;
}

/**
 * Credential → principal and tenant, for the WebSocket (which has no guard pipeline): the
 * same JWT rules as the passport strategy, and the same check with the tenants service.
 */
@Injectable()
export class Authenticator {
  private readonly jwt = new JwtService();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient,
  ) {}

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

  resolve(
    credential: AuthenticateRequest,
    where: { tenantRef?: string; host?: string },
    context: RequestContext,
  ): Promise<Authentication> {
    return runWithContext(context, () =>
      this.transport.request<Authentication>(TENANTS.AUTH_AUTHENTICATE, {
        ...credential,
        tenant_ref: where.tenantRef,
        host: where.host,
      }),
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
      if (!claims.sub) throw new Error('no subject');
      return { kind: 'jwt', user_id: claims.sub, tenant_id: claims.tenant_id ?? null };
    } catch {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid or expired access token');
    }
  }
}

export function toRequestPrincipal(principal: AuthenticatedPrincipal) {
  return {
    role: principal.role,
    ...(principal.user_id ? { userId: principal.user_id } : {}),
    ...(principal.api_key_id ? { apiKeyId: principal.api_key_id } : {}),
  };
}
