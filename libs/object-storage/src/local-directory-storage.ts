import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { limitedChunks } from './byte-limit';
import {
  assertObjectKey,
  assertObjectPrefix,
  ObjectNotFoundError,
  type ObjectStorage,
  type PutOptions,
} from './object-storage';

/** Objects as files under one directory: `<root>/<tenant id>/<document id>`. */
export class LocalDirectoryStorage implements ObjectStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions = {}) {
    const path = this.pathOf(assertObjectKey(key));
    await mkdir(dirname(path), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file and an abort leaves none.
    const partial = `${path}.${randomUUID()}.part`;
    let bytes = 0;
    try {
      await pipeline(
        limitedChunks(body, options.maxBytes),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            bytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(partial),
      );
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { bytes };
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(assertObjectKey(key)));
    } catch (error) {
      if (isMissing(error)) {
        throw new ObjectNotFoundError(key);
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(assertObjectKey(key)), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    const directory = this.pathOf(assertObjectPrefix(prefix).slice(0, -1));
    const count = await countFiles(directory);
    await rm(directory, { recursive: true, force: true });
    return count;
  }

  /** Keys are validated, and the resolved path must still lie inside the root. */
  private pathOf(key: string): string {
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) {
      throw new Error(`object key "${key}" leaves the root`);
    }
    return path;
  }
}

async function countFiles(directory: string): Promise<number> {
  try {
    if (!(await stat(directory)).isDirectory()) {
      return 0;
    }
  } catch (error) {
    if (isMissing(error)) {
      return 0;
    }
    throw error;
  }
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && !entry.name.endsWith('.part')).length;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
