import { Module } from '@nestjs/common';

import { IngestionModule } from '../ingestion/ingestion.module';
import { StorageModule } from '../storage/storage.module';
import { VectorsModule } from '../vectors/vectors.module';
import { TenantLifecycleHandler } from './tenant-lifecycle.handler';
import { TenantLifecycleService } from './tenant-lifecycle.service';

/** What rag does when the tenants service deletes a tenant. */
@Module({
  imports: [StorageModule, VectorsModule, IngestionModule],
  controllers: [TenantLifecycleHandler],
  providers: [TenantLifecycleService],
})
export class TenantLifecycleModule {}
