import { Module } from '@nestjs/common';

import { IdempotentRequests } from './idempotent-requests';

/** `Idempotency-Key` for the routes that create something (chat exchanges, documents). */
@Module({
  providers: [IdempotentRequests],
  exports: [IdempotentRequests],
})
export class IdempotencyModule {}
