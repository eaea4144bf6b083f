import { Module } from '@nestjs/common';

import { TenantsController } from './tenants.controller';

/** Tenants, their settings and custom domains (the tenants service's). */
@Module({ controllers: [TenantsController] })
export class TenantsModule {}
