import { Module } from '@nestjs/common';
import { Redis } from 'ioredis';

import { ConnectionLimiter, RequestLimiter } from '@tenantbot/rate-limit';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { RateLimitGuard } from './rate-limit.guard';
import { RequestAdmission } from './request-admission';

/** The request limits and the caps on sockets open at once, counted in Redis across replicas. */
@Module({
  providers: [
    {
      provide: RequestLimiter,
      useFactory: (redis: Redis, config: GatewayConfig) =>
        new RequestLimiter(redis, config.REDIS_PREFIX),
      inject: [Redis, GATEWAY_CONFIG],
    },
    {
      provide: ConnectionLimiter,
      useFactory: (redis: Redis, config: GatewayConfig) =>
        new ConnectionLimiter(redis, config.REDIS_PREFIX),
      inject: [Redis, GATEWAY_CONFIG],
    },
    RequestAdmission,
    RateLimitGuard,
  ],
  exports: [RequestLimiter, ConnectionLimiter, RequestAdmission, RateLimitGuard],
})
export class RateLimitModule {}
