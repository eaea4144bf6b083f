import { Module } from '@nestjs/common';

import { ExportHandler } from './export.handler';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

/** The tenant admins' export of conversations with messages, sources and feedback. */
@Module({
  controllers: [ExportHandler],
  providers: [ExportRepository, ExportService],
})
export class ExportModule {}
