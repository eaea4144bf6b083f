import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import {
  DomainError,
  ErrorCode,
  type AuthenticateRequest,
  type AuthenticatedTenant,
  type Role,
} from '@tenantbot/contracts';
import { Authenticator, toRequestPrincipal, type Authentication } from './authenticator';
import type { Logger } from '@tenantbot/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTokenClaims } from './jwt.strategy';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './decorators';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../tokens';
import { decideCors } from '../web-channel/cors-policy';
import { VisitorAuthenticator } from '../web-channel/visitor-authenticator';
import { VISITOR_ALLOWED } from '../web-channel/visitor-route';
import { pageOriginOf } from '../web-channel/page-origin';

const JwtGuard = PassportAuthGuard('jwt');

declare module 'fastify' {
  interface FastifyRequest {
    /** The resolved tenant's plan and overrides, for the rate limits. */
    tenantLimits?: Pick<AuthenticatedTenant, 'plan' | 'rate_limits'>;
    /** The resolved tenant's RAG settings, passed on to the rag service. */
    tenantRag?: AuthenticatedTenant['rag'];
    /** The caller as the tenants service resolved it (possibly from the caller cache). */
    authentication?: Authentication;
  }
}

/**
 * Every route but the public ones: the Bearer (a JWT or an API key) becomes a principal, and
 * X-Tenant-ID or the Host becomes the tenant, both checked by the tenants service, or taken
 * from the caller cache that its change broadcasts keep current (ADR caller cache).
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly jwt = new JwtGuard();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(VisitorAuthenticator) private readonly visitors: VisitorAuthenticator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AccessTokenClaims }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const bearer = bearerOf(request);
    if (this.visitors.isVisitorToken(bearer)) {
      await this.admitVisitor(request, reply, bearer);
      if (!this.reflector.getAllAndOverride<boolean>(VISITOR_ALLOWED, targets))
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          'a visitor token may only chat in, read and follow up its own conversations',
        );
      return true;
    }
    const credential: AuthenticateRequest = bearer.startsWith('tbk_')
      ? { kind: 'api_key', key: bearer }
      : await this.verifyJwt(context, request);
    const authentication = await this.authenticator.resolve(
      credential,
      { tenantRef: tenantHeaderOf(request), host: hostOf(request) },
      request.requestContext,
    );
    const { principal, tenant } = authentication;
    request.authentication = authentication;
    request.requestContext.tenantId = tenant?.id;
    request.tenantLimits = tenant
      ? { plan: tenant.plan, rate_limits: tenant.rate_limits }
      : undefined;
    request.tenantRag = tenant?.rag;
    request.requestContext.principal = toRequestPrincipal(principal);
    decideCors(
      request,
      reply,
      tenant?.allowed_origins ?? [],
      this.logger,
      this.config.CONSOLE_ORIGINS,
    );

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `this route requires one of the roles: ${roles.join(', ')}`,
      );
    }
    return true;
  }

  private async admitVisitor(request: FastifyRequest, reply: FastifyReply, bearer: string) {
    const visitor = await this.visitors.authenticate(bearer, pageOriginOf(request), request.id);
    Object.assign(request.requestContext, visitor.context);
    request.tenantLimits = { plan: visitor.tenant.plan, rate_limits: visitor.tenant.rate_limits };
    request.tenantRag = visitor.tenant.rag;
    request.visitorWidget = visitor.widget;
    decideCors(request, reply, visitor.widget.allowed_origins, this.logger);
  }

  private async verifyJwt(context: ExecutionContext, request: { user?: AccessTokenClaims }) {
    try {
      await this.jwt.canActivate(context);
    } catch {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid or expired access token');
    }
    const claims = request.user;
    if (!claims?.sub) throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid access token');
    return { kind: 'jwt' as const, user_id: claims.sub, tenant_id: claims.tenant_id ?? null };
  }
}

export function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match)
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'send Authorization: Bearer <token or API key>');
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
