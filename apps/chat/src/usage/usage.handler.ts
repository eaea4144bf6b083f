import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  type ChatStats,
  parseOrThrow,
  STATS_PATTERNS,
  statsQuerySchema,
  usageQuerySchema,
  type UsageReport,
} from '@tenantbot/contracts';

import { messageReporter } from '../core/message-caller';
import { UsageService } from './usage.service';

/** The reports the admin service gathers from chat: validate, then one service call each. */
@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageService) {}

  @MessagePattern(STATS_PATTERNS.CHAT_USAGE)
  report(@Payload() payload: unknown): Promise<UsageReport> {
    const query = parseOrThrow(usageQuerySchema, withoutNullTenant(payload));
    return this.usage.report(messageReporter(), query);
  }

  @MessagePattern(STATS_PATTERNS.CHAT)
  stats(@Payload() payload: unknown): Promise<ChatStats> {
    const query = parseOrThrow(statsQuerySchema, withoutNullTenant(payload ?? {}));
    return this.usage.stats(messageReporter(), query.tenant_id);
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
