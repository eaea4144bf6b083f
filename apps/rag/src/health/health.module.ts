import { Module } from '@nestjs/common';

import { pingControllerFor } from '@tenantbot/transport';

import { HealthHandler } from './health.handler';
import { HealthService } from './health.service';

/** The transport's ping and the state of Chroma, for the gateway's /health. */
@Module({
  controllers: [pingControllerFor('rag'), HealthHandler],
  providers: [HealthService],
})
export class HealthModule {}
