import { toAuthenticatedTenant } from '../tenant/authenticated-tenant';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { JWT_CLAIMS } from '@tenantbot/config';
import {
  DomainError,
  ErrorCode,
  type AuthenticateRequest,
  type AuthenticatedPrincipal,
  type AuthenticatedTenant,
  type LoginRequest,
  type Role,
  type TokenResponse,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import { LoginThrottle, type LoginAttempt } from '@tenantbot/rate-limit';
import { currentContext } from '@tenantbot/tenant-context';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ApiKeyRepository } from '../api-key/api-key.repository';
import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { newOpaqueToken, sameHash, sha256 } from '../security/opaque-tokens';
import { verifyPassword } from '../security/passwords';
import { TenantRepository, type TenantRow } from '../tenant/tenant.repository';
import { toUserView } from '../user/user.service';
import { UserRepository, type UserRow } from '../user/user.repository';
import { RefreshTokenRepository } from './refresh-token.repository';

const INVALID_CREDENTIALS = 'invalid username, email or password';
const API_KEY_FORMAT = /^tbk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface AuthenticationResult {
  principal: AuthenticatedPrincipal;
  /** The tenant the request acts in: the credential's, or the one a super admin named. */
  tenant: AuthenticatedTenant | null;
}

@Injectable()
export class AuthService {
  private readonly jwt: JwtService;

  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(RefreshTokenRepository) private readonly refreshTokens: RefreshTokenRepository,
    @Inject(ApiKeyRepository) private readonly apiKeys: ApiKeyRepository,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(TENANTS_CONFIG) private readonly config: TenantsConfig,
  ) {
    this.jwt = new JwtService({
      secret: config.JWT_SECRET,
      signOptions: {
        algorithm: JWT_CLAIMS.algorithm,
        issuer: JWT_CLAIMS.issuer,
        audience: JWT_CLAIMS.audience,
        expiresIn: config.ACCESS_TOKEN_TTL_S,
      },
    });
  }

  /**
   * Username or email and password, in the tenant named by X-Tenant-ID, else the tenant whose
   * verified domain is the request's Host, else the platform. Failures are throttled per
   * client address and per (resolved account, address); a blocked attempt never reaches the
   * password check.
   */
  async login(request: LoginRequest): Promise<TokenResponse> {
    const ip = request.client_ip ?? 'unknown';
    const { user, account } = await this.loginAccount(request, ip);
    const attempt: LoginAttempt = { ip, account };
    await this.throttle.admit(attempt);
    const passwordMatches = await verifyPassword(user?.password_hash, request.password);
    if (!user || !passwordMatches || !user.is_active) {
      await this.throttle.recordFailure(attempt);
      throw new DomainError(ErrorCode.UNAUTHORIZED, INVALID_CREDENTIALS);
    }
    await this.throttle.recordSuccess(attempt);
    return this.issueTokens(user.id, user.tenant_id, user.role);
  }

  /**
   * The user a login names, if any, and its throttle key: the tenant and user ids however
   * they were spelled, or for an unknown user the tenant id and the lowercased name, so
   * probing for names is throttled too. An unknown tenant counts against the address.
   */
  private async loginAccount(
    request: LoginRequest,
    ip: string,
  ): Promise<{ user: UserRow | undefined; account: string }> {
    const identifier = (request.username ?? request.email ?? '').toLowerCase();
    try {
      return await this.scope.runAcrossTenants(async (db) => {
        const tenant = await this.loginTenant(db, request);
        const user = await this.users.findByLogin(db, tenant?.id ?? null, identifier);
        const scope = tenant?.id ?? 'platform';
        const account = user ? `${scope}:${user.id}` : `${scope}:unknown:${sha256(identifier)}`;
        return { user, account };
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.TENANT_NOT_FOUND) {
        await this.throttle.admit({ ip });
        await this.throttle.recordFailure({ ip });
      }
      throw error;
    }
  }

  private async loginTenant(db: EntityManager, request: LoginRequest): Promise<TenantRow | null> {
    if (request.tenant_ref) return this.activeTenant(db, request.tenant_ref);
    const byHost = request.host ? await this.tenants.findByDomain(db, request.host) : undefined;
    return byHost ? ensureActive(byHost) : null;
  }

  async issueTokens(
    userId: string,
    tenantId: string | null,
    role: Role,
    familyId: string = randomUUID(),
  ) {
    const refreshToken = newOpaqueToken('tbr');
    await this.scope.runAcrossTenants((db) =>
      this.refreshTokens.insert(db, {
        tenantId,
        userId,
        familyId,
        tokenHash: sha256(refreshToken),
        expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_S * 1000),
      }),
    );
    const accessToken = await this.jwt.signAsync(
      { tenant_id: tenantId, role },
      { subject: userId },
    );
    return {
      access_token: accessToken,
      token_type: 'bearer' as const,
      expires_in: this.config.ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
    };
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one of the same family
   * is issued. Presenting a spent token means it leaked: the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const outcome = await this.scope.runAcrossTenants(async (db) => {
      const stored = await this.refreshTokens.findByHashForUpdate(db, sha256(refreshToken));
      if (!stored || stored.revoked_at || stored.expires_at.getTime() < Date.now())
        return { error: 'invalid' as const };
      if (stored.used_at) {
        await this.refreshTokens.revokeFamily(db, stored.family_id);
        return { error: 'reused' as const };
      }
      const user = await this.users.findById(db, stored.user_id);
      const tenant = user?.tenant_id ? await this.tenants.findById(db, user.tenant_id) : null;
      if (!user || !user.is_active || (tenant !== null && !tenant?.is_active))
        return { error: 'invalid' as const };
      await this.refreshTokens.markUsed(db, stored.id);
      return { user, familyId: stored.family_id };
    });
    if ('error' in outcome) {
      throw new DomainError(
        ErrorCode.UNAUTHORIZED,
        outcome.error === 'reused'
          ? 'refresh token was already used: every session of this login is revoked'
          : 'invalid or expired refresh token',
      );
    }
    return this.issueTokens(
      outcome.user.id,
      outcome.user.tenant_id,
      outcome.user.role,
      outcome.familyId,
    );
  }

  async logout(refreshToken: string): Promise<void> {
    await this.scope.runAcrossTenants(async (db) => {
      const stored = await this.refreshTokens.findByHashForUpdate(db, sha256(refreshToken));
      if (stored) await this.refreshTokens.revokeFamily(db, stored.family_id);
    });
  }

  /**
   * Turns a verified JWT subject or an API key into the principal and the tenant of the
   * request, checking on every request that the user, key and tenant are still active.
   */
  authenticate(request: AuthenticateRequest): Promise<AuthenticationResult> {
    return this.scope.runAcrossTenants(async (db) => {
      const principal =
        request.kind === 'jwt'
          ? await this.principalOfUser(db, request.user_id, request.tenant_id)
          : await this.principalOfApiKey(db, request.key);
      const tenant = await this.effectiveTenant(db, principal, request);
      return {
        principal,
        tenant: tenant ? toAuthenticatedTenant(tenant) : null,
      };
    });
  }

  async me() {
    const principal = currentContext()?.principal;
    if (!principal) throw new DomainError(ErrorCode.UNAUTHORIZED, 'authentication required');
    return this.scope.runAcrossTenants(async (db) => {
      const tenantId = currentContext()?.tenantId;
      const tenant = tenantId ? await this.tenants.findById(db, tenantId) : undefined;
      const tenantSummary = tenant
        ? { id: tenant.id, slug: tenant.slug, name: tenant.name, plan: tenant.plan }
        : null;
      if (principal.userId) {
        const user = await this.users.findById(db, principal.userId);
        if (!user) throw new DomainError(ErrorCode.UNAUTHORIZED, 'the user no longer exists');
        return { kind: 'user', user: toUserView(user), tenant: tenantSummary };
      }
      return {
        kind: 'api_key',
        api_key_id: principal.apiKeyId,
        role: principal.role,
        tenant: tenantSummary,
      };
    });
  }

  private async principalOfUser(
    db: EntityManager,
    userId: string,
    tenantId: string | null,
  ): Promise<AuthenticatedPrincipal> {
    const user = await this.users.findById(db, userId);
    if (!user || !user.is_active || user.tenant_id !== tenantId) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'the token no longer names an active user');
    }
    // The role comes from the database, not the token: a demotion takes effect at once.
    return { tenant_id: user.tenant_id, user_id: user.id, api_key_id: null, role: user.role };
  }

  private async principalOfApiKey(db: EntityManager, key: string): Promise<AuthenticatedPrincipal> {
    const [, prefix, secret] = API_KEY_FORMAT.exec(key) ?? [];
    const stored = prefix ? await this.apiKeys.findByPrefix(db, prefix) : undefined;
    const valid =
      stored &&
      secret &&
      sameHash(stored.secret_hash, sha256(secret)) &&
      !stored.revoked_at &&
      (!stored.expires_at || stored.expires_at.getTime() > Date.now());
    if (!stored || !valid)
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid, revoked or expired API key');
    await this.apiKeys.touch(db, stored.id);
    return {
      tenant_id: stored.tenant_id,
      user_id: null,
      api_key_id: stored.id,
      role: stored.role,
      expires_at: stored.expires_at?.toISOString() ?? null,
    };
  }

  private async effectiveTenant(
    db: EntityManager,
    principal: AuthenticatedPrincipal,
    request: AuthenticateRequest,
  ): Promise<TenantRow | null> {
    const named = request.tenant_ref
      ? await this.tenants.findByReference(db, request.tenant_ref)
      : undefined;
    if (request.tenant_ref && !named) throw tenantNotFound();
    const byHost = request.host ? await this.tenants.findByDomain(db, request.host) : undefined;

    if (principal.role === 'super_admin') return named ?? byHost ?? null;

    for (const other of [named, byHost]) {
      if (other && other.id !== principal.tenant_id) {
        throw new DomainError(
          ErrorCode.TENANT_MISMATCH,
          'the request names a tenant other than the credential’s',
        );
      }
    }
    const tenant =
      named ??
      byHost ??
      (principal.tenant_id ? await this.tenants.findById(db, principal.tenant_id) : undefined);
    if (!tenant) throw tenantNotFound();
    return ensureActive(tenant);
  }

  private async activeTenant(db: EntityManager, reference: string): Promise<TenantRow> {
    const tenant = await this.tenants.findByReference(db, reference);
    if (!tenant) throw tenantNotFound();
    return ensureActive(tenant);
  }
}

function ensureActive(tenant: TenantRow): TenantRow {
  if (!tenant.is_active)
    throw new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated');
  return tenant;
}

function tenantNotFound(): DomainError {
  return new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
}
