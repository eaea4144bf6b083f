import { Controller } from '@nestjs/common';

import { RAG_DEPENDENCIES, type ReplyOf } from '@tenantbot/contracts';
import { Handles } from '@tenantbot/transport';

import { HealthService } from './health.service';

/** The gateway's /health asks here for Chroma. */
@Controller()
export class HealthHandler {
  constructor(private readonly health: HealthService) {}

  @Handles(RAG_DEPENDENCIES)
  dependencies(): Promise<ReplyOf<typeof RAG_DEPENDENCIES>> {
    return this.health.dependencies();
  }
}
