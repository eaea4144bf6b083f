import { z } from 'zod';

import { isTenantId } from '@tenantbot/contracts';

import { resolvedRagSettingsSchema } from '../common/rag-settings';

/**
 * One ingestion of one version of a document. A job is not a message: it has no caller, and
 * its tenant is the one its data names, checked when the worker takes it (JSON from Redis).
 */
export const ingestionJobDataSchema = z.object({
  tenantId: z.string().refine(isTenantId, 'a tenant id'),
  documentId: z.string(),
  version: z.number().int().positive(),
  settings: resolvedRagSettingsSchema,
});

export type IngestionJobData = z.output<typeof ingestionJobDataSchema>;

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
