import { Module } from '@nestjs/common';
import { pingControllerFor } from '@tenantbot/transport';

@Module({ controllers: [pingControllerFor('tenants')] })
export class TenantsModule {}
