import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import { JWT_CLAIMS } from '@tenantbot/config';
import type { Role, TenantId, TokenResponse } from '@tenantbot/contracts';
import { PlatformScope } from '@tenantbot/database';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { newOpaqueToken, sha256 } from '../security/opaque-tokens';
import { RefreshTokenRepository } from './refresh-token.repository';

/** Whom a session is for: a user of a tenant, or a platform user (the super admin, no tenant). */
export interface SessionHolder {
  userId: string;
  tenantId: TenantId | null;
  role: Role;
}

/**
 * A login's tokens: a short-lived signed access token and an opaque refresh token, stored
 * hashed, whose family a rotation keeps and a reuse revokes.
 */
@Injectable()
export class SessionTokens {
  private readonly jwt: JwtService;

  constructor(
    private readonly platform: PlatformScope,
    private readonly refreshTokens: RefreshTokenRepository,
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

  async issue(holder: SessionHolder, familyId: string = randomUUID()): Promise<TokenResponse> {
    const refreshToken = newOpaqueToken('tbr');
    // A platform user's (the super admin's) tokens belong to no tenant.
    await this.refreshTokens.insert(holder.tenantId ?? this.platform, {
      tenantId: holder.tenantId,
      userId: holder.userId,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_S * 1000),
    });
    const accessToken = await this.jwt.signAsync(
      { tenant_id: holder.tenantId, role: holder.role },
      { subject: holder.userId },
    );
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.config.ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
    };
  }
}
