import { z } from 'zod';

import { LocalDirectoryStorage } from './local-directory-storage';
import type { ObjectStorage } from './object-storage';
import { S3Storage } from './s3-storage';

const optionalText = z
  .string()
  .optional()
  .transform((value) => value || undefined);

/** Where files go: S3 when S3_BUCKET is set, else a local directory. */
export const objectStorageEnvSchema = z.object({
  FILES_DIR: z.string().min(1).default('.data/files'),
  S3_BUCKET: optionalText,
  S3_ENDPOINT: optionalText.refine(
    (value) => value === undefined || URL.canParse(value),
    'must be a URL',
  ),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** The largest document accepted: uploads, pasted text and fetched web pages. */
  MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
});

export type ObjectStorageConfig = z.output<typeof objectStorageEnvSchema>;

export function createObjectStorage(config: ObjectStorageConfig): ObjectStorage {
  if (!config.S3_BUCKET) {
    return new LocalDirectoryStorage(config.FILES_DIR);
  }
  return new S3Storage({
    bucket: config.S3_BUCKET,
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}
