import { createHash, timingSafeEqual } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/** The spellings the load balancer refuses (INTERNAL_ONLY_PATHS in infra/). */
const CANONICAL_PATH = /^\/metrics\/?(?:\?|$)/;

/**
 * Who may scrape `/metrics`: only a Bearer equal to METRICS_TOKEN. Without a token the
 * metrics are off, so a deployment that forgot one publishes nothing. The router would also
 * match a percent-encoded spelling (`/%6detrics`) that the load balancer's path rule does not
 * see: those are not found.
 */
@Injectable()
export class MetricsAccess {
  private readonly tokenDigest?: Buffer;

  constructor(@Inject(GATEWAY_CONFIG) { METRICS_TOKEN }: GatewayConfig) {
    this.tokenDigest = METRICS_TOKEN === undefined ? undefined : digest(METRICS_TOKEN);
  }

  check(request: { url: string; authorization?: string }): void {
    if (!CANONICAL_PATH.test(request.url)) {
      throw new DomainError(ErrorCode.ROUTE_NOT_FOUND, 'not found');
    }
    if (!this.tokenDigest) {
      throw new DomainError(ErrorCode.ROUTE_NOT_FOUND, 'metrics are off: no METRICS_TOKEN is set');
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '')?.[1];
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!bearer || !timingSafeEqual(digest(bearer), this.tokenDigest)) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'send Authorization: Bearer <METRICS_TOKEN>');
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
