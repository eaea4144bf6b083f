import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RAG_DEPENDENCIES, type DependencyStatus } from '@tenantbot/contracts';
import { HealthService } from './health.service';

/** The gateway's /health asks here for Chroma. */
@Controller()
export class HealthHandler {
  constructor(private readonly health: HealthService) {}

  @MessagePattern(RAG_DEPENDENCIES)
  dependencies(): Promise<{ chroma: DependencyStatus }> {
    return this.health.dependencies();
  }
}
