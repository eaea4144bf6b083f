import { Module } from '@nestjs/common';
import { pingControllerFor } from '@tenantbot/transport';

@Module({ controllers: [pingControllerFor('admin')] })
export class AdminModule {}
