import type { TenantId } from '@tenantbot/contracts';

import type { ResolvedRagSettings } from '../common/rag-settings';

/** One ingestion of one version of a document. */
export interface IngestionJobData {
  tenantId: TenantId;
  documentId: string;
  version: number;
  settings: ResolvedRagSettings;
}

export const INGESTION_QUEUE = 'ingestion';

/** A parked job sleeps this long unless its tenant's turn comes first. */
export const PARK_MS = 60_000;

/** BullMQ's keys, under the deployment's Redis prefix. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/** Job ids make enqueueing idempotent: one job per (document, version). */
export function ingestionJobId(documentId: string, version: number): string {
  return `${documentId}_v${version}`;
}
