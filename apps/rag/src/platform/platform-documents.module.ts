import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { PlatformDocumentsHandler } from './platform-documents.handler';
import { PlatformDocumentsRepository } from './platform-documents.repository';
import { PlatformDocumentsService } from './platform-documents.service';

/** The super admin's view of every company's documents; it alone here crosses tenants to list them. */
@Module({
  imports: [PlatformDatabaseModule],
  controllers: [PlatformDocumentsHandler],
  providers: [PlatformDocumentsService, PlatformDocumentsRepository],
})
export class PlatformDocumentsModule {}
