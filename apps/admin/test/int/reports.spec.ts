import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import pino from 'pino';

import { ADMIN, STATS_PATTERNS, TENANTS } from '@tenantbot/contracts';
import { createLogger } from '@tenantbot/observability';
import { currentContext, type RequestContext, runWithContext } from '@tenantbot/tenant-context';
import {
  Handles,
  RedisStreamsClient,
  RedisStreamsServer,
  RpcErrorFilter,
  transportOptionsFrom,
} from '@tenantbot/transport';

import { AdminModule } from '../../src/app.module';
import { adminConfigSchema } from '../../src/config';
import { CHAT_STATS, RAG_STATS, TENANTS_STATS } from '../../src/reports/report-fixtures';

/** The tenant each owning service was asked about (undefined: the platform). */
const asked: { pattern: string; tenantId: string | undefined }[] = [];
const record = (pattern: string) => asked.push({ pattern, tenantId: currentContext()?.tenantId });

@Controller()
class FakeTenantsStats {
  @Handles(TENANTS.STATS)
  stats() {
    record(TENANTS.STATS);
    return TENANTS_STATS;
  }
}

@Controller()
class FakeRagStats {
  @Handles(STATS_PATTERNS.RAG)
  stats() {
    record(STATS_PATTERNS.RAG);
    return RAG_STATS;
  }
}

@Controller()
class FakeChatStats {
  @Handles(STATS_PATTERNS.CHAT)
  stats() {
    record(STATS_PATTERNS.CHAT);
    return CHAT_STATS;
  }
}

describe('the admin service in process: reports over the real transport', () => {
  const config = adminConfigSchema.parse({
    ...process.env,
    REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'tbtest'}:admin-int-${randomUUID().slice(0, 8)}`,
  });
  const options = transportOptionsFrom(config);
  const replicas: INestMicroservice[] = [];
  let client: RedisStreamsClient;

  async function startReplica(service: string, module: object): Promise<void> {
    const moduleRef = await Test.createTestingModule({ imports: [module as never] }).compile();
    const replica = moduleRef.createNestMicroservice({
      strategy: new RedisStreamsServer({ ...options, service }),
      logger: false,
    });
    replica.useGlobalFilters(new RpcErrorFilter(pino({ level: 'silent' })));
    await replica.listen();
    replicas.push(replica);
  }

  beforeAll(async () => {
    await startReplica('admin', AdminModule.register(config, createLogger('admin', 'silent')));
    for (const [service, controller] of [
      ['tenants', FakeTenantsStats],
      ['rag', FakeRagStats],
      ['chat', FakeChatStats],
    ] as const) {
      @Module({ controllers: [controller] })
      class FakeService {}
      await startReplica(service, FakeService);
    }
    client = new RedisStreamsClient({ ...options, name: 'admin-int' });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(replicas.map((replica) => replica.close()));
  });

  const stats = (context: RequestContext, tenant_id?: string) =>
    runWithContext(context, () => client.request(ADMIN.STATS, { tenant_id }));

  it("answers a tenant admin with its own tenant's figures, asked of every service in that tenant", async () => {
    const tenantId = randomUUID();
    asked.length = 0;
    const report = await stats({
      requestId: 'r1',
      tenantId,
      principal: { role: 'tenant_admin', userId: randomUUID() },
    });
    expect(report).toMatchObject({
      scope: 'tenant',
      tenant_id: tenantId,
      chunks: RAG_STATS.chunks,
    });
    expect(asked.map((question) => question.tenantId)).toEqual([tenantId, tenantId, tenantId]);
  });

  it('never asks about another tenant for a tenant admin (403), nor without a principal (401)', async () => {
    asked.length = 0;
    const tenantAdmin = {
      requestId: 'r2',
      tenantId: randomUUID(),
      principal: { role: 'tenant_admin' as const, userId: randomUUID() },
    };
    await expect(stats(tenantAdmin, randomUUID())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats({ requestId: 'r3' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(asked).toHaveLength(0);
  });

  it('gives the super admin the platform view', async () => {
    asked.length = 0;
    const report = await stats({
      requestId: 'r4',
      principal: { role: 'super_admin', userId: randomUUID() },
    });
    expect([report.scope, report.tenant_id]).toEqual(['platform', null]);
    expect(asked.map((question) => question.tenantId)).toEqual([undefined, undefined, undefined]);
  });
});
