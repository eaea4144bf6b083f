import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from '@tenantbot/observability';
import { TransportClientModule } from '@tenantbot/transport';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import { HttpErrorFilter } from './http/http-error.filter';
import { HttpMetrics } from './http/http-metrics';
import { RequestContextInterceptor } from './http/request-context.interceptor';
import { PlatformController } from './platform/platform.controller';

export const LOGGER = Symbol('LOGGER');

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: Logger, metrics: HttpMetrics): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        TransportClientModule.register({
          name: 'gateway',
          redisUrl: config.REDIS_URL,
          prefix: config.REDIS_PREFIX,
          timeoutMs: config.TRANSPORT_TIMEOUT_MS,
          claimIdleMs: config.TRANSPORT_CLAIM_IDLE_MS,
          logger,
        }),
      ],
      controllers: [PlatformController, HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: HttpMetrics, useValue: metrics },
        { provide: APP_FILTER, useValue: new HttpErrorFilter(logger) },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}
