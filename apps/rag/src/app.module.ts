import { type DynamicModule, Module } from '@nestjs/common';

import { DatabaseModule, databaseOptionsFrom } from '@tenantbot/database';

import { RagConfigModule, type RagModuleOptions } from './config/config.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { PlatformDocumentsModule } from './platform/platform-documents.module';
import { SearchModule } from './search/search.module';
import { StatsModule } from './stats/stats.module';
import { TenantLifecycleModule } from './tenant-lifecycle/tenant-lifecycle.module';

/**
 * The rag service: documents, ingestion, hybrid search. Its ingestion worker starts once the
 * service is up; on shutdown it stops taking jobs first, then the connections close.
 */
@Module({})
export class RagModule {
  static register(options: RagModuleOptions): DynamicModule {
    return {
      module: RagModule,
      imports: [
        RagConfigModule.forRoot(options),
        DatabaseModule.forRoot(databaseOptionsFrom(options.config, 'tenantbot-rag')),
        DocumentsModule,
        IngestionModule,
        SearchModule,
        StatsModule,
        PlatformDocumentsModule,
        TenantLifecycleModule,
        HealthModule,
      ],
    };
  }
}
