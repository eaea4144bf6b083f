import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ConnectionLimiter, RequestLimiter } from '@tenantbot/rate-limit';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RequestAdmission } from './rate-limit/request-admission';
import { OpenStreamRecheck } from './auth/open-stream-recheck';
import { SocketSessions } from './websocket/socket-sessions';
import { Redis } from 'ioredis';
import { AdminController } from './admin/admin.controller';
import { ChatController } from './chat/chat.controller';
import { RagController } from './rag/rag.controller';
import { UploadIngestion } from './rag/upload-ingestion';
import { createObjectStorage } from '@tenantbot/object-storage';
import { LOGGER, OBJECT_STORAGE } from './tokens';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuthController } from './auth/auth.controller';
import { AuthenticationGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { JwtStrategy } from './auth/jwt.strategy';
import { TenantsController } from './tenants/tenants.controller';
import { UsersController } from './users/users.controller';
import type { Logger } from '@tenantbot/observability';
import { TransportClientModule, transportOptionsFrom } from '@tenantbot/transport';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import { HttpErrorFilter } from './http/http-error.filter';
import { HttpMetrics } from './http/http-metrics';
import { RequestContextInterceptor } from './http/request-context.interceptor';
import type { RouteTable } from './http/pre-routing-errors';
import { PlatformController } from './platform/platform.controller';
import { OriginDirectory } from './web-channel/origin-directory';
import { VisitorAuthenticator } from './web-channel/visitor-authenticator';
import { VisitorChat } from './web-channel/visitor-chat';
import { VisitorMessageLimits } from './web-channel/visitor-limits';
import { VisitorSocketChannel } from './web-channel/visitor-socket-channel';
import { VisitorTokens } from './web-channel/visitor-tokens';
import { WidgetAssetsController } from './web-channel/widget-assets.controller';
import { WidgetSessionsController } from './web-channel/widget-sessions.controller';
import { WidgetsController } from './web-channel/widgets.controller';

@Module({})
export class GatewayModule {
  static register(
    config: GatewayConfig,
    logger: Logger,
    metrics: HttpMetrics,
    routes?: RouteTable,
  ): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        TransportClientModule.register({
          name: 'gateway',
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      controllers: [
        PlatformController,
        HealthController,
        AuthController,
        TenantsController,
        UsersController,
        ApiKeysController,
        AdminController,
        ChatController,
        RagController,
        WidgetsController,
        WidgetSessionsController,
        WidgetAssetsController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: HttpMetrics, useValue: metrics },
        { provide: APP_FILTER, useValue: new HttpErrorFilter(logger, routes) },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        {
          provide: RequestLimiter,
          useFactory: (redis: Redis) => new RequestLimiter(redis, config.REDIS_PREFIX),
          inject: [Redis],
        },
        {
          provide: ConnectionLimiter,
          useFactory: (redis: Redis) => new ConnectionLimiter(redis, config.REDIS_PREFIX),
          inject: [Redis],
        },
        RequestAdmission,
        OpenStreamRecheck,
        SocketSessions,
        JwtStrategy,
        UploadIngestion,
        OriginDirectory,
        VisitorTokens,
        VisitorAuthenticator,
        VisitorMessageLimits,
        VisitorChat,
        VisitorSocketChannel,
        { provide: OBJECT_STORAGE, useValue: createObjectStorage(config) },
        Authenticator,
        {
          provide: Redis,
          useFactory: () => {
            const redis = new Redis(config.REDIS_URL, {
              password: config.REDIS_PASSWORD,
              maxRetriesPerRequest: 1,
            });
            redis.on('error', (error: Error) =>
              logger.warn({ err: error }, 'redis connection error'),
            );
            return redis;
          },
        },
      ],
    };
  }
}
