import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';

import type { DomainError } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import {
  type ConnectionLease,
  ConnectionLimiter,
  type ConnectionSlot,
} from '@tenantbot/rate-limit';
import type { RequestContext } from '@tenantbot/tenant-context';

import { type Authentication, toRequestPrincipal } from '../auth/authenticator';
import {
  isRevocation,
  type OpenStreamCaller,
  OpenStreamRecheck,
} from '../auth/open-stream-recheck';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { HttpMetrics } from '../http/http-metrics';
import {
  type LimitedCaller,
  principalSubjectOf,
  RequestAdmission,
} from '../rate-limit/request-admission';
import { LOGGER } from '../tokens';
import { endSocket } from './guarded-websocket-server';

/**
 * Admission of WebSockets, for every endpoint: the upgrade is authenticated like a request,
 * counts against the same request limits, and takes a place under the caps on sockets open
 * at once per user or API key and per tenant (WS_MAX_CONNECTIONS_PER_*), across replicas.
 */
@Injectable()
export class SocketSessions {
  constructor(
    private readonly recheck: OpenStreamRecheck,
    private readonly admission: RequestAdmission,
    private readonly connections: ConnectionLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: HttpMetrics,
  ) {}

  /**
   * Admits the upgrade on `socket`, or throws the refusal (401/403, 429 RATE_LIMITED). The
   * place under the caps is freed when the socket closes.
   */
  async open(caller: OpenStreamCaller, socket: Duplex): Promise<SocketSession> {
    const authentication = await this.recheck.check(caller);
    const limited = limitedCallerOf(authentication);
    await this.admission.admit(limited);
    const lease = await this.connections.acquire(
      this.slotsOf(limited),
      caller.requestId,
      this.config.WS_CONNECTION_LEASE_S,
    );
    const session = new SocketSession(caller, authentication, lease, {
      recheck: this.recheck,
      admission: this.admission,
      logger: this.logger,
      metrics: this.metrics,
    });
    socket.once('close', () => session.release());
    if (socket.destroyed) {
      session.release();
    }
    return session;
  }

  private slotsOf(caller: LimitedCaller): ConnectionSlot[] {
    const slots: ConnectionSlot[] = [];
    const principal = principalSubjectOf(caller.principal);
    if (principal) {
      slots.push({
        subject: principal,
        max: this.config.WS_MAX_CONNECTIONS_PER_PRINCIPAL,
        label: 'user or API key',
      });
    }
    if (caller.tenantId) {
      slots.push({
        subject: `tenant:${caller.tenantId}`,
        max: this.config.WS_MAX_CONNECTIONS_PER_TENANT,
        label: 'tenant',
      });
    }
    return slots;
  }
}

interface SessionServices {
  recheck: OpenStreamRecheck;
  admission: RequestAdmission;
  logger: Logger;
  metrics: HttpMetrics;
}

/** One admitted WebSocket: its caller as last checked, and its place under the caps. */
export class SocketSession {
  private caller: LimitedCaller;

  constructor(
    private readonly opening: OpenStreamCaller,
    authentication: Authentication,
    private readonly lease: ConnectionLease,
    private readonly services: SessionServices,
  ) {
    this.caller = limitedCallerOf(authentication);
  }

  /** The context of the socket's requests: its tenant and principal as last checked. */
  get context(): RequestContext {
    const { tenantId, principal } = this.caller;
    return { requestId: this.opening.requestId, tenantId, principal };
  }

  /**
   * While `ws` is open: renews its place under the caps and re-checks the caller every
   * OPEN_STREAM_RECHECK_MS, and ends it with a last `error` frame and a 44xx close once the
   * caller is no longer valid.
   */
  watch(ws: WebSocket): void {
    const { recheck, logger } = this.services;
    const stop = recheck.watch(this.opening, {
      onTick: () => {
        this.lease
          .renew()
          .catch((error: unknown) => logger.warn({ err: error }, 'connection lease not renewed'));
      },
      onValid: (authentication) => (this.caller = limitedCallerOf(authentication)),
      onEnd: (reason) => this.end(ws, reason),
    });
    ws.once('close', stop);
  }

  /**
   * One chat message: the caller re-checked and counted against the request limits, like a
   * `POST /api/v1/chat/`. Resolves the message's context; throws the refusal, having ended the
   * socket first when the caller is no longer valid.
   */
  async admitMessage(ws: WebSocket): Promise<RequestContext> {
    const { recheck, admission } = this.services;
    const requestId = randomUUID();
    try {
      this.caller = limitedCallerOf(await recheck.check({ ...this.opening, requestId }));
      await admission.admit(this.caller);
    } catch (error) {
      if (isRevocation(error)) {
        this.end(ws, error);
      }
      throw error;
    }
    return { ...this.context, requestId };
  }

  release(): void {
    this.lease
      .release()
      .catch((error: unknown) =>
        this.services.logger.warn({ err: error }, 'connection lease not released'),
      );
  }

  private end(ws: WebSocket, reason: DomainError): void {
    const { logger, metrics } = this.services;
    metrics.streamEnded('websocket', reason.code);
    logger.info(
      { request_id: this.opening.requestId, tenant_id: this.caller.tenantId, code: reason.code },
      'WebSocket ended: its caller is no longer valid',
    );
    endSocket(ws, reason, this.opening.requestId, logger);
  }
}

function limitedCallerOf({ principal, tenant }: Authentication): LimitedCaller {
  return {
    tenantId: tenant?.id,
    principal: toRequestPrincipal(principal),
    tenantLimits: tenant ? { plan: tenant.plan, rate_limits: tenant.rate_limits } : undefined,
  };
}
