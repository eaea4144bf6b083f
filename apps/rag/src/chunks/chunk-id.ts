import { createHash } from 'node:crypto';

/**
 * The id of a chunk, shared by Postgres and Chroma: a name-based UUID (version 5 layout) of
 * document, version and position. A re-run of the same ingestion writes the same ids, so a
 * job restarted after a crash overwrites its own partial work instead of duplicating it.
 */
export function chunkId(documentId: string, version: number, index: number): string {
  const hash = createHash('sha256').update(`${documentId}/${version}/${index}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
