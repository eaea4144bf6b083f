import { Module } from '@nestjs/common';

import { ExportsController } from './exports.controller';

/** Tenant admins' exports: conversations as JSON lines or CSV (the chat service's data). */
@Module({ controllers: [ExportsController] })
export class ExportsModule {}
