import { Injectable } from '@nestjs/common';

import {
  type AuthenticatedPrincipal,
  type AuthenticateRequest,
  type AuthenticationResult,
  DomainError,
  ErrorCode,
  type LoginRequest,
  type MeReply,
  type PlatformCaller,
  tenantIdOf,
  type TokenResponse,
} from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  PlatformScope,
  TenantDatabase,
} from '@tenantbot/database';
import { type LoginAttempt, LoginThrottle } from '@tenantbot/rate-limit';

import { ApiKeyRepository } from '../api-key/api-key.repository';
import { requireTenant } from '../security/caller';
import { sameHash, sha256 } from '../security/opaque-tokens';
import { verifyPassword } from '../security/passwords';
import { RefreshTokenRepository } from '../session/refresh-token.repository';
import { SessionTokens } from '../session/session-tokens';
import { toAuthenticatedTenant } from '../tenant/authenticated-tenant';
import { type TenantRecord, TenantRepository } from '../tenant/tenant.repository';
import { type UserRecord, UserRepository } from '../user/user.repository';
import { toUserView } from '../user/user-view';

const INVALID_CREDENTIALS = 'invalid username, email or password';
const API_KEY_FORMAT = /^tbk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

/**
 * Credentials to principals: logins, refresh tokens, and the check of every request's JWT or
 * API key. Most of it runs before the tenant is known (a slug, a Host, a key's prefix, a
 * token's hash name it), so it reads across tenants; what follows a known tenant does not.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly platform: PlatformScope,
    private readonly users: UserRepository,
    private readonly tenants: TenantRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly sessions: SessionTokens,
    private readonly throttle: LoginThrottle,
  ) {}

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
    await this.users.recordLogin(user.tenant_id ?? this.platform, user.id);
    return this.sessions.issue({ userId: user.id, tenantId: user.tenant_id, role: user.role });
  }

  /**
   * The user a login names, if any, and its throttle key: the tenant and user ids however
   * they were spelled, or for an unknown user the tenant id and the lowercased name, so
   * probing for names is throttled too. An unknown tenant counts against the address.
   */
  private async loginAccount(
    request: LoginRequest,
    ip: string,
  ): Promise<{ user: UserRecord | undefined; account: string }> {
    const identifier = (request.username ?? request.email ?? '').toLowerCase();
    try {
      const tenant = await this.loginTenant(request);
      const tenantId = tenant?.id ?? null;
      // Once the tenant is known, its users are read in its scope; platform users in none.
      const user = await this.users.findByLogin(tenantId ?? this.platform, tenantId, identifier);
      const scope = tenantId ?? 'platform';
      const account = user ? `${scope}:${user.id}` : `${scope}:unknown:${sha256(identifier)}`;
      return { user, account };
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.TENANT_NOT_FOUND) {
        await this.throttle.admit({ ip });
        await this.throttle.recordFailure({ ip });
      }
      throw error;
    }
  }

  /** Resolving the tenant by its slug or the Host crosses tenants: it is not known yet. */
  private async loginTenant(request: LoginRequest): Promise<TenantRecord | null> {
    if (request.tenant_ref) {
      return this.activeTenant(this.platform, request.tenant_ref);
    }
    const byHost = request.host
      ? await this.tenants.findByDomain(this.platform, request.host)
      : undefined;
    return byHost ? ensureActive(byHost) : null;
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one of the same family
   * is issued. Presenting a spent token means it leaked: the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const outcome = await this.platform.transaction(async (db) => {
      const stored = await this.refreshTokens.findByHashForUpdate(db, sha256(refreshToken));
      if (!stored || stored.revoked_at || stored.expires_at.getTime() < Date.now()) {
        return { error: 'invalid' as const };
      }
      if (stored.used_at) {
        await this.refreshTokens.revokeFamily(db, stored.family_id);
        return { error: 'reused' as const };
      }
      const user = await this.users.findById(db, stored.user_id);
      const tenant = user?.tenant_id ? await this.tenants.findById(db, user.tenant_id) : null;
      if (!user || !user.is_active || (tenant !== null && !tenant?.is_active)) {
        return { error: 'invalid' as const };
      }
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
    const { user, familyId } = outcome;
    return this.sessions.issue(
      { userId: user.id, tenantId: user.tenant_id, role: user.role },
      familyId,
    );
  }

  async logout(refreshToken: string): Promise<void> {
    await this.platform.transaction(async (db) => {
      const stored = await this.refreshTokens.findByHashForUpdate(db, sha256(refreshToken));
      if (stored) {
        await this.refreshTokens.revokeFamily(db, stored.family_id);
      }
    });
  }

  /**
   * Turns a verified JWT subject or an API key into the principal and the tenant of the
   * request, checking on every request that the user, key and tenant are still active.
   */
  async authenticate(request: AuthenticateRequest): Promise<AuthenticationResult> {
    return this.platform.transaction(async (db) => {
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

  /**
   * The caller's own account and tenant. A super admin's account belongs to no tenant, so it
   * is read across tenants; everyone else's in the caller's tenant.
   */
  async me(caller: PlatformCaller): Promise<MeReply> {
    const { role } = caller;
    if (role === 'visitor') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'a widget visitor has no account');
    }
    const work = async (db: InTenant | AcrossTenants): Promise<MeReply> => {
      const tenant = caller.tenantId ? await this.tenants.findById(db, caller.tenantId) : undefined;
      const tenantSummary = tenant
        ? { id: tenant.id, slug: tenant.slug, name: tenant.name, plan: tenant.plan }
        : null;
      if (caller.userId) {
        const user = await this.users.findById(db, caller.userId);
        if (!user) {
          throw new DomainError(ErrorCode.UNAUTHORIZED, 'the user no longer exists');
        }
        return { kind: 'user', user: toUserView(user), tenant: tenantSummary };
      }
      return {
        kind: 'api_key',
        api_key_id: caller.apiKeyId,
        role,
        tenant: tenantSummary,
      };
    };
    return caller.role === 'super_admin'
      ? this.platform.transaction(work)
      : this.database.transaction(requireTenant(caller), work);
  }

  private async principalOfUser(
    db: AcrossTenants,
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

  private async principalOfApiKey(db: AcrossTenants, key: string): Promise<AuthenticatedPrincipal> {
    const [, prefix, secret] = API_KEY_FORMAT.exec(key) ?? [];
    const stored = prefix ? await this.apiKeys.findByPrefix(db, prefix) : undefined;
    const valid =
      stored &&
      secret &&
      sameHash(stored.secret_hash, sha256(secret)) &&
      !stored.revoked_at &&
      (!stored.expires_at || stored.expires_at.getTime() > Date.now());
    if (!stored || !valid) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'invalid, revoked or expired API key');
    }
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
    db: AcrossTenants,
    principal: AuthenticatedPrincipal,
    request: AuthenticateRequest,
  ): Promise<TenantRecord | null> {
    const named = request.tenant_ref
      ? await this.tenants.findByReference(db, request.tenant_ref)
      : undefined;
    if (request.tenant_ref && !named) {
      throw tenantNotFound();
    }
    const byHost = request.host ? await this.tenants.findByDomain(db, request.host) : undefined;

    if (principal.role === 'super_admin') {
      return named ?? byHost ?? null;
    }

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
      (principal.tenant_id
        ? await this.tenants.findById(db, tenantIdOf(principal.tenant_id))
        : undefined);
    if (!tenant) {
      throw tenantNotFound();
    }
    return ensureActive(tenant);
  }

  private async activeTenant(db: AcrossTenants, reference: string): Promise<TenantRecord> {
    const tenant = await this.tenants.findByReference(db, reference);
    if (!tenant) {
      throw tenantNotFound();
    }
    return ensureActive(tenant);
  }
}

function ensureActive(tenant: TenantRecord): TenantRecord {
  if (!tenant.is_active) {
    throw new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated');
  }
  return tenant;
}

function tenantNotFound(): DomainError {
  return new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
}
