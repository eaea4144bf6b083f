import { randomUUID } from 'node:crypto';

import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

import { JWT_CLAIMS } from '@tenantbot/config';
import type { Role } from '@tenantbot/contracts';
import { createLogger } from '@tenantbot/observability';

import { GatewayModule } from '../../../src/app.module';
import { type GatewayConfig, gatewayConfigSchema } from '../../../src/config';
import { HttpMetrics } from '../../../src/http/http-metrics';
import { configureHttpServer, gatewayHttpAdapter } from '../../../src/http/http-server';
import { FakeServices, type FakeUser } from './fake-services';

/**
 * The gateway in this process (Test.createTestingModule, the real Fastify server, Redis and
 * transport), in front of fake tenants, rag and chat services on the same Redis: its own
 * behaviour (authentication, roles, limits, sockets, errors) in seconds, without processes.
 */
export class GatewayHarness {
  private readonly jwt: JwtService;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly services: FakeServices,
    readonly config: GatewayConfig,
    readonly baseUrl: string,
  ) {
    this.jwt = new JwtService({ secret: config.JWT_SECRET });
  }

  /** `beforeListen` adds to the app before its routes are registered (e.g. the OpenAPI routes). */
  static async start(
    env: Record<string, string> = {},
    beforeListen?: (app: NestFastifyApplication, config: GatewayConfig) => void,
  ): Promise<GatewayHarness> {
    const config = gatewayConfigSchema.parse({
      ...process.env,
      REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'tbtest'}:int-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'silent',
      ...env,
    });
    const services = await FakeServices.start(config.REDIS_URL, config.REDIS_PREFIX);
    const runtime = {
      config,
      logger: createLogger('gateway', 'silent'),
      metrics: new HttpMetrics(),
    };
    const moduleRef = await Test.createTestingModule({
      imports: [GatewayModule.register(runtime)],
    }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(
      gatewayHttpAdapter(runtime),
      { logger: false },
    );
    await configureHttpServer(app, runtime);
    beforeListen?.(app, config);
    await app.listen(0, '127.0.0.1');
    return new GatewayHarness(app, services, config, await app.getUrl());
  }

  get directory() {
    return this.services.directory;
  }

  /** A user the fake tenants service knows, and an access token of theirs. */
  async user(role: Role, tenantId: string | null = randomUUID()) {
    const user: FakeUser = { userId: randomUUID(), tenantId, role, active: true };
    this.directory.users.set(user.userId, user);
    return { ...user, token: await this.accessToken(user) };
  }

  accessToken(user: Pick<FakeUser, 'userId' | 'tenantId'>, secret = this.config.JWT_SECRET) {
    return this.jwt.signAsync(
      { tenant_id: user.tenantId },
      {
        secret,
        subject: user.userId,
        algorithm: JWT_CLAIMS.algorithm,
        issuer: JWT_CLAIMS.issuer,
        audience: JWT_CLAIMS.audience,
        expiresIn: 600,
      },
    );
  }

  request(path: string, token?: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (token) {
      headers.set('authorization', `Bearer ${token}`);
    }
    return fetch(`${this.baseUrl}${path}`, { ...init, headers });
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.services.stop();
  }
}
