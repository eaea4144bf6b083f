import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import S3rver from 's3rver';

import { ErrorCode } from '@tenantbot/contracts';

import {
  documentObjectKey,
  LocalDirectoryStorage,
  ObjectNotFoundError,
  type ObjectStorage,
  S3Storage,
  tenantObjectPrefix,
} from '../../src';

/** A body that arrives in pieces, like an upload, and records whether it was torn down. */
function slowBody(chunks: number, chunkBytes: number) {
  const state = { sent: 0, destroyed: false };
  const body = new Readable({
    read() {
      if (state.sent === chunks) {
        return this.push(null);
      }
      state.sent++;
      setImmediate(() => this.push(Buffer.alloc(chunkBytes, 0x61)));
    },
    destroy(error, callback) {
      state.destroyed = true;
      callback(error);
    },
  });
  return { body, state };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The behaviour both adapters must share. */
function describeObjectStorage(name: string, create: () => ObjectStorage) {
  describe(name, () => {
    const tenant = randomUUID();

    it('stores, reads back and deletes an object; deleting twice is fine', async () => {
      const storage = create();
      const key = documentObjectKey(tenant, randomUUID());
      expect(await storage.put(key, Buffer.from('hello'))).toEqual({ bytes: 5 });
      expect((await storage.get(key)).toString()).toBe('hello');
      await storage.delete(key);
      await storage.delete(key);
      await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('streams a body in pieces and counts its bytes', async () => {
      const storage = create();
      const key = documentObjectKey(tenant, randomUUID());
      const { body } = slowBody(40, 1024);
      expect(await storage.put(key, body, { maxBytes: 40 * 1024 })).toEqual({ bytes: 40 * 1024 });
      expect((await storage.get(key)).length).toBe(40 * 1024);
    });

    it('aborts while streaming past the limit, stops reading and keeps nothing', async () => {
      const storage = create();
      const key = documentObjectKey(tenant, randomUUID());
      const { body, state } = slowBody(1000, 1024);
      await expect(storage.put(key, body, { maxBytes: 10 * 1024 })).rejects.toMatchObject({
        code: ErrorCode.DOCUMENT_TOO_LARGE,
      });
      expect(state.destroyed).toBe(true);
      expect(state.sent).toBeLessThan(20);
      await expect(storage.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it("deletes a tenant's prefix and nothing of another tenant", async () => {
      const storage = create();
      const other = randomUUID();
      const doomed = randomUUID();
      for (let i = 0; i < 3; i++) {
        await storage.put(documentObjectKey(doomed, randomUUID()), Buffer.from(`d${i}`));
      }
      const kept = documentObjectKey(other, randomUUID());
      await storage.put(kept, Buffer.from('keep'));
      expect(await storage.deletePrefix(tenantObjectPrefix(doomed))).toBe(3);
      expect(await storage.deletePrefix(tenantObjectPrefix(doomed))).toBe(0);
      expect((await storage.get(kept)).toString()).toBe('keep');
    });

    it('refuses keys that could escape their place', async () => {
      const storage = create();
      for (const key of [
        '../etc/passwd',
        `${tenant}/../x`,
        '/abs',
        `${tenant}/`,
        'a/./b',
        'a\\b',
      ]) {
        await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(/invalid object key/);
        await expect(storage.get(key)).rejects.toThrow(/invalid object key/);
      }
      await expect(storage.deletePrefix('..')).rejects.toThrow(/invalid object prefix/);
    });
  });
}

describe('object storage', () => {
  let root: string;
  let s3: S3rver;
  let s3Dir: string;
  let endpoint: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tenantbot-files-'));
    s3Dir = await mkdtemp(join(tmpdir(), 'tenantbot-s3-'));
    const port = await freePort();
    s3 = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: 'documents' }],
    });
    await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await s3.close();
    await rm(root, { recursive: true, force: true });
    await rm(s3Dir, { recursive: true, force: true });
  });

  describeObjectStorage('local directory', () => new LocalDirectoryStorage(root));
  describeObjectStorage(
    'S3 (against s3rver)',
    () =>
      new S3Storage({
        bucket: 'documents',
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
  );

  it('keeps local files at <root>/<tenant>/<document> and no partial file after an abort', async () => {
    const storage = new LocalDirectoryStorage(root);
    const tenant = randomUUID();
    const document = randomUUID();
    await storage.put(documentObjectKey(tenant, document), Buffer.from('x'));
    expect(existsSync(join(root, tenant, document))).toBe(true);
    await expect(
      storage.put(documentObjectKey(tenant, randomUUID()), Buffer.alloc(100), { maxBytes: 10 }),
    ).rejects.toMatchObject({ code: ErrorCode.DOCUMENT_TOO_LARGE });
    expect(await readdir(join(root, tenant))).toEqual([document]);
  });

  it('uploads a body larger than one S3 part in several parts', async () => {
    const storage = new S3Storage({
      bucket: 'documents',
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const key = documentObjectKey(randomUUID(), randomUUID());
    const { body } = slowBody(18, 1024 * 1024);
    expect(await storage.put(key, body)).toEqual({ bytes: 18 * 1024 * 1024 });
    expect((await storage.get(key)).length).toBe(18 * 1024 * 1024);
  });
});
