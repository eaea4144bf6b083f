import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import { JWT_CLAIMS } from '@tenantbot/config';
import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/**
 * A visitor token's audience: never the users' (`tenantbot-api`), so the JWT strategy refuses
 * a visitor token on every user route and this class refuses a user token.
 */
export const VISITOR_AUDIENCE = 'tenantbot-visitor';

export interface VisitorClaims {
  /** The visitor id. */
  sub: string;
  typ: 'visitor';
  tenant_id: string;
  widget_id: string;
  /** The page origin the session was opened from; every request must come from it. */
  origin: string;
}

/** Signs and verifies the short-lived tokens of a widget's visitors (HS256, JWT_SECRET). */
@Injectable()
export class VisitorTokens {
  private readonly jwt: JwtService;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.jwt = new JwtService({ secret: config.JWT_SECRET });
  }

  get ttlSeconds(): number {
    return this.config.VISITOR_TOKEN_TTL_S;
  }

  sign(claims: Omit<VisitorClaims, 'typ' | 'sub'> & { visitor_id: string }): Promise<string> {
    const { visitor_id, ...rest } = claims;
    return this.jwt.signAsync(
      { ...rest, typ: 'visitor' },
      {
        subject: visitor_id,
        algorithm: JWT_CLAIMS.algorithm,
        issuer: JWT_CLAIMS.issuer,
        audience: VISITOR_AUDIENCE,
        expiresIn: this.config.VISITOR_TOKEN_TTL_S,
      },
    );
  }

  /** Cheap, unverified: does this bearer claim to be a visitor token? (`verify` decides.) */
  looksLikeVisitorToken(bearer: string): boolean {
    const decoded: unknown = this.jwt.decode(bearer);
    return (
      typeof decoded === 'object' &&
      decoded !== null &&
      (decoded as { aud?: unknown }).aud === VISITOR_AUDIENCE
    );
  }

  async verify(token: string): Promise<VisitorClaims> {
    try {
      const claims = await this.jwt.verifyAsync<VisitorClaims>(token, {
        algorithms: [JWT_CLAIMS.algorithm],
        issuer: JWT_CLAIMS.issuer,
        audience: VISITOR_AUDIENCE,
      });
      if (claims.typ !== 'visitor' || !claims.sub || !claims.widget_id || !claims.tenant_id) {
        throw new Error('not a visitor token');
      }
      return claims;
    } catch {
      throw new DomainError(
        ErrorCode.UNAUTHORIZED,
        'invalid or expired visitor token: open a new widget session',
      );
    }
  }
}
