import { Inject, Injectable } from '@nestjs/common';

import type { TenantId } from '@tenantbot/contracts';
import { type ObjectStorage, tenantObjectPrefix } from '@tenantbot/object-storage';
import type { Logger } from '@tenantbot/observability';

import { OBJECT_STORAGE, RAG_LOGGER } from '../config/tokens';
import { TenantFairness } from '../ingestion/tenant-fairness';
import { ChromaVectorStore } from '../vectors/chroma-vector-store';

const REMOVAL_ATTEMPTS = 3;

/**
 * A deleted tenant's rows are gone with it (foreign keys cascade); this removes what lives
 * outside Postgres: its Chroma collections, its stored files and its queue bookkeeping.
 */
@Injectable()
export class TenantLifecycleService {
  constructor(
    private readonly vectors: ChromaVectorStore,
    private readonly fairness: TenantFairness,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(RAG_LOGGER) private readonly logger: Logger,
  ) {}

  /** The event is delivered once: rides out a short Chroma or S3 outage before giving up. */
  async removeDeletedTenant(tenantId: TenantId): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.removeTenantData(tenantId);
      } catch (error) {
        if (attempt === REMOVAL_ATTEMPTS) {
          throw error;
        }
        this.logger.warn(
          { err: error, tenant_id: tenantId, attempt },
          'removing tenant data failed',
        );
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
  }

  private async removeTenantData(tenantId: TenantId): Promise<void> {
    const collections = await this.vectors.deleteTenant(tenantId);
    const files = await this.storage.deletePrefix(tenantObjectPrefix(tenantId));
    await this.fairness.forgetTenant(tenantId);
    this.logger.info(
      { tenant_id: tenantId, collections: collections.length, files },
      'removed the vectors and files of a deleted tenant',
    );
  }
}
