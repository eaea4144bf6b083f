import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';

import { isTenantId, TENANT_EVENTS } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { RAG_LOGGER } from '../config/tokens';
import { TenantLifecycleService } from './tenant-lifecycle.service';

const tenantDeletedSchema = z.object({ tenantId: z.string().refine(isTenantId) });

/**
 * `tenant.deleted` is an event of the tenants service, not a caller's message: the tenant is
 * the one the event names.
 */
@Controller()
export class TenantLifecycleHandler {
  constructor(
    private readonly lifecycle: TenantLifecycleService,
    @Inject(RAG_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(TENANT_EVENTS.DELETED)
  async tenantDeleted(@Payload() payload: unknown): Promise<void> {
    const parsed = tenantDeletedSchema.safeParse(payload);
    if (!parsed.success) {
      this.logger.warn({ payload }, 'ignoring a malformed tenant.deleted event');
      return;
    }
    await this.lifecycle.removeDeletedTenant(parsed.data.tenantId);
  }
}
