import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { type AuthenticatedTenant, DomainError, ErrorCode, type Role } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../tokens';
import { decideCors } from '../web-channel/cors-policy';
import { pageOriginOf } from '../web-channel/page-origin';
import { VisitorAuthenticator } from '../web-channel/visitor-authenticator';
import { VISITOR_ALLOWED } from '../web-channel/visitor-route';
import { type Authentication, Authenticator, toRequestPrincipal } from './authenticator';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './decorators';
import { bearerOf, tenantReferenceOf } from './request-credentials';

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
 * from the caller cache that its change broadcasts keep current (ADR caller cache). The JWT
 * is verified by the Authenticator, the one verification path of HTTP and WebSockets alike.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly visitors: VisitorAuthenticator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const bearer = bearerOf(request);
    if (this.visitors.isVisitorToken(bearer)) {
      await this.admitVisitor(request, reply, bearer);
      if (!this.reflector.getAllAndOverride<boolean>(VISITOR_ALLOWED, targets)) {
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          'a visitor token may only chat in, read and follow up its own conversations',
        );
      }
      return true;
    }
    const authentication = await this.authenticator.authenticate(
      bearer,
      tenantReferenceOf(request),
      request.requestContext,
    );
    this.admit(request, reply, authentication);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (roles && !roles.includes(authentication.principal.role)) {
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `this route requires one of the roles: ${roles.join(', ')}`,
      );
    }
    return true;
  }

  private admit(request: FastifyRequest, reply: FastifyReply, authentication: Authentication) {
    const { principal, tenant } = authentication;
    request.authentication = authentication;
    request.requestContext.tenantId = tenant?.id;
    request.requestContext.principal = toRequestPrincipal(principal);
    request.tenantLimits = tenant
      ? { plan: tenant.plan, rate_limits: tenant.rate_limits }
      : undefined;
    request.tenantRag = tenant?.rag;
    decideCors(
      request,
      reply,
      tenant?.allowed_origins ?? [],
      this.logger,
      this.config.CONSOLE_ORIGINS,
    );
  }

  private async admitVisitor(request: FastifyRequest, reply: FastifyReply, bearer: string) {
    const visitor = await this.visitors.authenticate(bearer, pageOriginOf(request), request.id);
    Object.assign(request.requestContext, visitor.context);
    request.tenantLimits = { plan: visitor.tenant.plan, rate_limits: visitor.tenant.rate_limits };
    request.tenantRag = visitor.tenant.rag;
    request.visitorWidget = visitor.widget;
    decideCors(request, reply, visitor.widget.allowed_origins, this.logger);
  }
}
