import { randomUUID } from 'node:crypto';

import type { DynamicModule, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';

import type { Caller, ChatSource, Role, TenantRuntimeConfig } from '@tenantbot/contracts';
import { tenantIdOf } from '@tenantbot/contracts';
import { appUrlFrom, migrate, platformUrlFrom } from '@tenantbot/database';
import { createLogger } from '@tenantbot/observability';

import { chatConfigSchema } from '../../src/config';
import { CoreModule } from '../../src/core/core.module';
import { RetrievalService } from '../../src/retrieval/retrieval.service';
import { TenantConfigService } from '../../src/tenant-config/tenant-config.service';

export type TenantSettings = Partial<Omit<TenantRuntimeConfig, 'id' | 'slug'>>;

export interface ChatIntOptions {
  /** The feature modules under test (the core module comes with them). */
  features: (Type | DynamicModule)[];
  env?: Record<string, string>;
}

/**
 * Feature modules of the chat service in this process (`Test.createTestingModule`) on a
 * database of their own, migrated by the real migrator, and the real Redis under a prefix of
 * their own. What other services answer over the transport is faked: the tenants service's
 * runtime configuration (set per tenant by `createTenant`) and rag's passages (`passages`).
 */
export class ChatIntApp {
  private constructor(
    private readonly module: TestingModule,
    /** The database's owner: bypasses row-level security, for seeding and checking. */
    readonly owner: pg.Pool,
    private readonly databaseName: string,
    private readonly neighbours: FakeNeighbours,
  ) {}

  static async start({ features, env = {} }: ChatIntOptions): Promise<ChatIntApp> {
    const databaseName = `${new URL(runDatabaseUrl()).pathname.slice(1)}_int_${randomSuffix()}`;
    const ownerUrl = urlOfDatabase(databaseName);
    await migrate({
      ownerUrl,
      appUrl: appUrlFrom(ownerUrl, undefined),
      platformUrl: platformUrlFrom(ownerUrl, undefined),
    });
    const config = chatConfigSchema.parse({
      ...process.env,
      DATABASE_URL: ownerUrl,
      DATABASE_POOL_SIZE: '4',
      REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'tbtest'}:int-${randomSuffix()}`,
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      ...env,
    });
    const neighbours = new FakeNeighbours();
    const module = await Test.createTestingModule({
      imports: [CoreModule.register(config, createLogger('chat', 'silent')), ...features],
    })
      .overrideProvider(TenantConfigService)
      .useValue(neighbours.tenantConfig)
      .overrideProvider(RetrievalService)
      .useValue(neighbours.retrieval)
      .compile();
    await module.init();
    const owner = new pg.Pool({ connectionString: ownerUrl, max: 2 });
    return new ChatIntApp(module, owner, databaseName, neighbours);
  }

  /** What the faked rag answers to any question. */
  set passages(passages: ChatSource[]) {
    this.neighbours.passages = passages;
  }

  get<T>(type: Type<T>): T {
    return this.module.get(type);
  }

  /** A tenant row, and the runtime configuration the faked tenants service answers for it. */
  async createTenant(settings: TenantSettings = {}): Promise<TenantRuntimeConfig> {
    const slug = `t-${randomSuffix()}`;
    const { rows } = await this.owner.query<{ id: string }>(
      'INSERT INTO tenants (name, slug) VALUES ($1, $1) RETURNING id',
      [slug],
    );
    const tenant: TenantRuntimeConfig = {
      id: rows[0].id,
      slug,
      plan: 'free',
      is_active: true,
      system_prompt: null,
      default_model: null,
      allowed_models: [],
      rate_limits: {},
      rag: {},
      allowed_origins: [],
      domains: [],
      provider_keys: {},
      ...settings,
    };
    this.neighbours.tenants.set(tenant.id, tenant);
    return tenant;
  }

  /** A principal of the tenant: a user (its own id unless given) acting with a role. */
  caller(tenant: { id: string }, role: Role, userId: string = randomUUID()): Caller {
    return { requestId: randomUUID(), tenantId: tenantIdOf(tenant.id), role, userId };
  }

  /**
   * The database stays until the run's global teardown drops it (its name starts with the
   * run's): dropping it here, with FORCE, killed connections a closing module still held, and
   * their pool's error failed the suite.
   */
  async close(): Promise<void> {
    await this.module.close();
    await this.owner.end();
  }
}

/** The tenants and rag services, as far as the chat service asks them. */
class FakeNeighbours {
  readonly tenants = new Map<string, TenantRuntimeConfig>();
  passages: ChatSource[] = [];

  readonly tenantConfig: Pick<TenantConfigService, 'runtimeConfig'> = {
    runtimeConfig: (caller: Caller) => {
      const tenant = this.tenants.get(caller.tenantId);
      if (!tenant) {
        return Promise.reject(new Error(`no tenant ${caller.tenantId} in this test`));
      }
      return Promise.resolve(tenant);
    },
  };

  readonly retrieval: Pick<RetrievalService, 'relevantPassages' | 'startEarly'> = {
    relevantPassages: () => Promise.resolve(this.passages),
    startEarly: (caller: Caller) => ({ choice: caller.tenantId }),
  };
}

/** The test run's database (the global setup's), whose server the fresh database lives on. */
function runDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot_test';
}

function urlOfDatabase(name: string): string {
  const url = new URL(runDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

function randomSuffix(): string {
  return randomUUID().replaceAll('-', '').slice(0, 10);
}
