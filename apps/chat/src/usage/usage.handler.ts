import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';

import {
  type ChatStats,
  parseOrThrow,
  type PlatformCaller,
  STATS_PATTERNS,
  statsQuerySchema,
  usageQuerySchema,
  type UsageReport,
} from '@tenantbot/contracts';
import { CurrentPlatformCaller } from '@tenantbot/tenant-context';
import { Handles } from '@tenantbot/transport';

import { UsageService } from './usage.service';

/** The reports the admin service gathers from chat: validate, then one service call each. */
@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageService) {}

  @Handles(STATS_PATTERNS.CHAT_USAGE)
  report(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @Payload() payload: unknown,
  ): Promise<UsageReport> {
    const query = parseOrThrow(usageQuerySchema, withoutNullTenant(payload));
    return this.usage.report(caller, query);
  }

  @Handles(STATS_PATTERNS.CHAT)
  stats(
    @CurrentPlatformCaller() caller: PlatformCaller,
    @Payload() payload: unknown,
  ): Promise<ChatStats> {
    const query = parseOrThrow(statsQuerySchema, withoutNullTenant(payload ?? {}));
    return this.usage.stats(caller, query.tenant_id);
  }
}

/**
 * The admin service says "the whole platform" with `tenant_id: null`; the schema knows only an
 * absent tenant for that.
 */
function withoutNullTenant(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || !('tenant_id' in payload)) {
    return payload;
  }
  const { tenant_id: tenantId, ...rest } = payload;
  return tenantId === null ? rest : payload;
}
