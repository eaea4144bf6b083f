import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

import { AuthModule } from '../auth/auth.module';
import { AuthenticationGuard } from '../auth/authentication.guard';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { WebChannelModule } from '../web-channel/web-channel.module';
import { HttpErrorFilter } from './http-error.filter';
import { RequestContextInterceptor } from './request-context.interceptor';

/**
 * What every HTTP route runs through, in this order: authentication (and CORS per tenant),
 * the request limits, the handler inside the request's context, and one error filter.
 * The guards are declared here together because Nest runs global guards in declaration order.
 */
@Module({
  imports: [AuthModule, RateLimitModule, WebChannelModule],
  providers: [
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class RequestPipelineModule {}
