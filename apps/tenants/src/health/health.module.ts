import { Module } from '@nestjs/common';

import { pingControllerFor } from '@tenantbot/transport';

/** Answers `tenants.ping` for the gateway's /health. */
@Module({ controllers: [pingControllerFor('tenants')] })
export class HealthModule {}
