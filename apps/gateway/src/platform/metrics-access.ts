import { DomainError, ErrorCode } from '@tenantbot/contracts';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may scrape `/metrics`: only a Bearer equal to METRICS_TOKEN. Without a token the
 * metrics are off, so a deployment that forgot one publishes nothing.
 */
export class MetricsAccess {
  private readonly tokenDigest?: Buffer;

  constructor(token: string | undefined) {
    this.tokenDigest = token === undefined ? undefined : digest(token);
  }

  check(authorization: string | undefined): void {
    if (!this.tokenDigest) {
      throw new DomainError(ErrorCode.ROUTE_NOT_FOUND, 'metrics are off: no METRICS_TOKEN is set');
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!bearer || !timingSafeEqual(digest(bearer), this.tokenDigest)) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'send Authorization: Bearer <METRICS_TOKEN>');
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
