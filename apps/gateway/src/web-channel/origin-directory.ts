import { Inject, Injectable } from '@nestjs/common';

import { WIDGETS } from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

const MAX_REMEMBERED = 10_000;

/**
 * Whether an origin is allowed by any active tenant or widget, for the CORS answers given
 * before a request names its tenant (preflights carry no credentials). Remembered for
 * CORS_ORIGIN_CACHE_S, so a page's preflights cost one lookup, not one each.
 */
@Injectable()
export class OriginDirectory {
  private readonly remembered = new Map<string, { known: boolean; until: number }>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly transport: RedisStreamsClient,
  ) {}

  async isKnown(origin: string): Promise<boolean> {
    const normalized = origin.toLowerCase();
    if (this.config.CONSOLE_ORIGINS.includes(normalized)) {
      return true;
    }
    const cached = this.remembered.get(normalized);
    if (cached && cached.until > Date.now()) {
      return cached.known;
    }
    const { known } = await this.transport.request(WIDGETS.ORIGIN_KNOWN, {
      origin: normalized,
    });
    if (this.remembered.size >= MAX_REMEMBERED) {
      this.remembered.clear();
    }
    this.remembered.set(normalized, {
      known,
      until: Date.now() + this.config.CORS_ORIGIN_CACHE_S * 1000,
    });
    return known;
  }
}
