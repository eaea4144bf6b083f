import { Controller, Get, Inject, Res, type OnModuleDestroy } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RedisStreamsClient } from '@tenantbot/transport';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { appConnectionUrl } from '@tenantbot/database';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { probeAll } from './dependency-probes';
import { Public } from '../auth/decorators';

@ApiTags('health')
@Public()
@Controller()
export class HealthController implements OnModuleDestroy {
  private readonly postgres: Pool;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(RedisStreamsClient) private readonly transport: RedisStreamsClient,
    @Inject(Redis) private readonly redis: Redis,
  ) {
    this.postgres = new Pool({ connectionString: appConnectionUrl(config), max: 2 });
    this.postgres.on('error', () => undefined);
  }

  @Get('health')
  @ApiOperation({
    summary: 'Every dependency with status and latency',
    description:
      'Postgres, Redis, Chroma and each service over the transport. 503 when any is down.',
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks = await probeAll({
      postgres: this.postgres,
      redis: this.redis,
      transport: this.transport,
    });
    const healthy = Object.values(checks).every((check) => check.status === 'up');
    void reply.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', checks };
  }

  async onModuleDestroy(): Promise<void> {
    await this.postgres.end();
    this.redis.disconnect();
  }
}
