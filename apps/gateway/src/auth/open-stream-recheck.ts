import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { DomainError, ErrorCode, type Role } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER } from '../tokens';
import { type Authentication, Authenticator } from './authenticator';

/** The credential an open stream was opened with, and what it must still be allowed. */
export interface OpenStreamCaller {
  bearer: string;
  where: { tenantRef?: string; host?: string };
  roles: readonly Role[];
  /** The request id of the upgrade or the SSE request, for the logs of its checks. */
  requestId: string;
}

export interface OpenStreamWatch {
  /** Every period while the stream is watched, whatever the check will say. */
  onTick?: () => void;
  /** Each successful check, with the caller as it is now (its plan and limits included). */
  onValid?: (authentication: Authentication) => void;
  /** Once, with the reason the stream must end; no check runs after it. */
  onEnd: (reason: DomainError) => void;
}

/** Errors that say the caller is no longer allowed, as opposed to the check failing to run. */
const REVOCATIONS = new Set<string>([
  ErrorCode.UNAUTHORIZED,
  ErrorCode.FORBIDDEN,
  ErrorCode.TENANT_INACTIVE,
  ErrorCode.TENANT_NOT_FOUND,
  ErrorCode.TENANT_MISMATCH,
]);

export function isRevocation(error: unknown): error is DomainError {
  return error instanceof DomainError && REVOCATIONS.has(error.code);
}

/**
 * Open WebSockets and SSE streams outlive the request that authenticated them: this checks
 * their caller again, on every message and on a timer, through the same Authenticator as the
 * upgrade (so an expired access token, a deactivated user or tenant, a revoked API key or a
 * role that may no longer chat all end the stream within OPEN_STREAM_RECHECK_MS).
 */
@Injectable()
export class OpenStreamRecheck {
  constructor(
    private readonly authenticator: Authenticator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The caller as it is now; throws the refusal when it may no longer use the stream. */
  async check(caller: OpenStreamCaller): Promise<Authentication> {
    const authentication = await this.authenticator.authenticate(caller.bearer, caller.where, {
      requestId: caller.requestId,
    });
    if (!caller.roles.includes(authentication.principal.role)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'this role may not use this stream');
    }
    return authentication;
  }

  /**
   * Checks every OPEN_STREAM_RECHECK_MS until the returned stop is called. A check that cannot
   * run (tenants service down, timeout) does not end the stream at once; a stream nobody could
   * vouch for during `staleAfterMs` does end, with SERVICE_UNAVAILABLE.
   */
  watch(caller: OpenStreamCaller, handlers: OpenStreamWatch): () => void {
    const intervalMs = this.config.OPEN_STREAM_RECHECK_MS;
    const staleAfterMs = Math.max(3 * intervalMs, 2 * this.config.TRANSPORT_TIMEOUT_MS);
    let lastValid = Date.now();
    let checking = false;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearInterval(timer);
    };
    const end = (reason: DomainError) => {
      if (stopped) {
        return;
      }
      stop();
      handlers.onEnd(reason);
    };
    const timer = setInterval(() => {
      if (stopped) {
        return;
      }
      handlers.onTick?.();
      if (checking) {
        return;
      }
      checking = true;
      this.check({ ...caller, requestId: randomUUID() })
        .then(
          (authentication) => {
            lastValid = Date.now();
            if (!stopped) {
              handlers.onValid?.(authentication);
            }
          },
          (error: unknown) => {
            if (isRevocation(error)) {
              return end(error);
            }
            this.logger.warn({ err: error, request_id: caller.requestId }, 're-check failed');
            if (Date.now() - lastValid > staleAfterMs) {
              end(
                new DomainError(
                  ErrorCode.SERVICE_UNAVAILABLE,
                  'the caller could not be re-checked',
                ),
              );
            }
          },
        )
        .finally(() => (checking = false));
    }, intervalMs);
    timer.unref();
    return stop;
  }
}
