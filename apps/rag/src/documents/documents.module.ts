import { Module } from '@nestjs/common';

import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { StorageModule } from '../storage/storage.module';
import { VectorsModule } from '../vectors/vectors.module';
import { DocumentsHandler } from './documents.handler';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';

/** A tenant's documents: create (queued for ingestion), list, get, delete, reprocess. */
@Module({
  imports: [StorageModule, VectorsModule, EmbeddingsModule, IngestionModule],
  controllers: [DocumentsHandler],
  providers: [DocumentsService, DocumentsRepository],
})
export class DocumentsModule {}
