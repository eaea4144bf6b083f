import type { Readable } from 'node:stream';

import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

import { limitedChunks } from './byte-limit';
import {
  assertObjectKey,
  assertObjectPrefix,
  ObjectNotFoundError,
  type ObjectStorage,
  type PutOptions,
} from './object-storage';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, a local test server); AWS when absent. */
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** S3 wants parts of at least 5 MiB except the last. */
const PART_BYTES = 8 * 1024 * 1024;

/** Objects in one S3 bucket. Bodies stream through in 8 MiB parts; small ones are one PUT. */
export class S3Storage implements ObjectStorage {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Checksums only where S3 demands them: S3-compatible servers reject the newer headers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions = {}) {
    assertObjectKey(key);
    const upload = new MultipartUpload(this.client, this.bucket, key, options.contentType);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let bytes = 0;
    try {
      for await (const chunk of limitedChunks(body, options.maxBytes)) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        bytes += chunk.length;
        if (pendingBytes >= PART_BYTES) {
          await upload.addPart(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      const rest = Buffer.concat(pending);
      if (upload.started) {
        await upload.complete(rest);
      } else {
        await this.putObject(key, rest, options.contentType);
      }
    } catch (error) {
      await upload.abort();
      throw error;
    }
    return { bytes };
  }

  async get(key: string): Promise<Buffer> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: assertObjectKey(key) }),
      );
      if (!object.Body) {
        throw new ObjectNotFoundError(key);
      }
      return Buffer.from(await object.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey) {
        throw new ObjectNotFoundError(key);
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: assertObjectKey(key) }),
    );
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertObjectPrefix(prefix);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      if (keys.length > 0) {
        await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  private async putObject(key: string, body: Buffer, contentType?: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType,
      }),
    );
  }
}

/** A multipart upload started lazily, on the first full part. */
class MultipartUpload {
  private uploadId?: string;
  private readonly parts: CompletedPart[] = [];

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly contentType?: string,
  ) {}

  get started(): boolean {
    return this.uploadId !== undefined;
  }

  async addPart(body: Buffer): Promise<void> {
    this.uploadId ??= await this.create();
    const PartNumber = this.parts.length + 1;
    const { ETag } = await this.client.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        PartNumber,
        Body: body,
        ContentLength: body.length,
      }),
    );
    this.parts.push({ ETag, PartNumber });
  }

  async complete(lastPart: Buffer): Promise<void> {
    if (lastPart.length > 0) {
      await this.addPart(lastPart);
    }
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
    this.uploadId = undefined;
  }

  async abort(): Promise<void> {
    if (!this.uploadId) {
      return;
    }
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    await this.client
      .send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: uploadId }),
      )
      .catch(() => undefined); // S3 lifecycle rules clean up what an abort could not
  }

  private async create(): Promise<string> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        ContentType: this.contentType,
      }),
    );
    if (!UploadId) {
      throw new Error('S3 returned no upload id');
    }
    return UploadId;
  }
}
