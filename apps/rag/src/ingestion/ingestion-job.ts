import type { ResolvedRagSettings } from '../common/rag-settings';

/** One ingestion of one version of a document. */
export interface IngestionJobData {
  tenantId: string;
  documentId: string;
  version: number;
  settings: ResolvedRagSettings;
}

export const INGESTION_QUEUE = 'ingestion';

/** Job ids make enqueueing idempotent: one job per (document, version). */
export function ingestionJobId(documentId: string, version: number): string {
  return `${documentId}_v${version}`;
}
