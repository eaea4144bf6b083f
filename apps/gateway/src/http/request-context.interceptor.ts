import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';

import { runWithContext } from '@tenantbot/tenant-context';

/**
 * Runs the route handler inside the request's context (AsyncLocalStorage), so the logs and
 * the transport messages of everything it calls carry the request id and the tenant.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return new Observable((subscriber) =>
      runWithContext(request.requestContext, () => next.handle().subscribe(subscriber)),
    );
  }
}
