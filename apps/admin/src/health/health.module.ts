import { Module } from '@nestjs/common';

import { pingControllerFor } from '@tenantbot/transport';

/** `admin.ping`, for the gateway's /health. */
@Module({ controllers: [pingControllerFor('admin')] })
export class HealthModule {}
