import type { Readable } from 'node:stream';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

export function documentTooLarge(maxBytes: number): DomainError {
  return new DomainError(
    ErrorCode.DOCUMENT_TOO_LARGE,
    `the document is larger than the limit of ${maxBytes} bytes`,
    { max_bytes: maxBytes },
  );
}

/**
 * The body's chunks, failing with DOCUMENT_TOO_LARGE as soon as they add up to more than
 * `maxBytes`. Throwing out of `for await` destroys the source, so an upload stops at once.
 */
export async function* limitedChunks(
  body: Readable | Buffer,
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length > maxBytes) {
      throw documentTooLarge(maxBytes);
    }
    yield body;
    return;
  }
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > maxBytes) {
      throw documentTooLarge(maxBytes);
    }
    yield bytes;
  }
}
