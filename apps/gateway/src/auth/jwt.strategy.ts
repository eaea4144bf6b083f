import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { JWT_CLAIMS } from '@tenantbot/config';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface AccessTokenClaims {
  sub: string;
  tenant_id: string | null;
  role: string;
}

/**
 * Verifies access tokens: HS256 only (so `alg: none` and key-confusion tokens fail), our
 * issuer and audience, not expired.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.JWT_SECRET,
      algorithms: [JWT_CLAIMS.algorithm],
      issuer: JWT_CLAIMS.issuer,
      audience: JWT_CLAIMS.audience,
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}
