import type { Readable } from 'node:stream';

export interface PutOptions {
  /** Aborts the upload while streaming, with DOCUMENT_TOO_LARGE, once the body exceeds this. */
  maxBytes?: number;
  contentType?: string;
}

/**
 * Where uploaded documents live: a local directory by default, S3 in AWS. Keys are built by
 * the platform (`<tenant id>/<document id>`), never from user file names.
 */
export interface ObjectStorage {
  /** Stores the body under `key`; a failed or aborted upload leaves nothing behind. */
  put(key: string, body: Readable | Buffer, options?: PutOptions): Promise<{ bytes: number }>;
  /** The object's bytes, or `ObjectNotFoundError`. */
  get(key: string): Promise<Buffer>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every object under `prefix` (which ends with `/`) and says how many there were. */
  deletePrefix(prefix: string): Promise<number>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object under ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** The key of a tenant's document file. */
export function documentObjectKey(tenantId: string, documentId: string): string {
  return assertObjectKey(`${tenantId}/${documentId}`);
}

/** The prefix of everything stored for a tenant. */
export function tenantObjectPrefix(tenantId: string): string {
  return assertObjectPrefix(`${tenantId}/`);
}

/** Keys are 1-4 plain segments: no dots, no empty segments, nothing a path could escape with. */
export function assertObjectKey(key: string): string {
  const segments = key.split('/');
  if (segments.length > 4 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new Error(`invalid object key "${key}"`);
  }
  return key;
}

export function assertObjectPrefix(prefix: string): string {
  if (!prefix.endsWith('/')) {
    throw new Error(`invalid object prefix "${prefix}"`);
  }
  assertObjectKey(prefix.slice(0, -1));
  return prefix;
}
