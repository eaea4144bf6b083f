import { randomUUID } from 'node:crypto';

import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';

import type { Caller, PlatformCaller, Role, TenantId } from '@tenantbot/contracts';
import { tenantIdOf } from '@tenantbot/contracts';
import { appUrlFrom, migrate, platformUrlFrom } from '@tenantbot/database';
import { createLogger } from '@tenantbot/observability';

import { TenantsModule } from '../../src/app.module';
import { tenantsConfigSchema } from '../../src/config';

/**
 * The tenants service in this process (immich's "medium" tests): its real module graph on a
 * fresh database migrated by the migrator, the real Redis under a prefix of its own, and no
 * transport server — tests call the services with an explicit caller. An owner connection
 * sets up and inspects rows behind row-level security.
 */
export class TenantsTestApp {
  private constructor(
    readonly module: TestingModule,
    readonly owner: pg.Client,
    private readonly adminUrl: string,
    private readonly database: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TenantsTestApp> {
    const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const database = `tenantbot_int_${randomUUID().slice(0, 8)}`;
    const ownerUrl = new URL(adminUrl);
    ownerUrl.pathname = `/${database}`;
    await migrate({
      ownerUrl: ownerUrl.toString(),
      appUrl: appUrlFrom(ownerUrl.toString(), undefined),
      platformUrl: platformUrlFrom(ownerUrl.toString(), undefined),
    });

    const config = tenantsConfigSchema.parse({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: ownerUrl.toString(),
      DATABASE_POOL_SIZE: '4',
      REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'tbtest'}:int-${database}`,
      ...env,
    });
    const module = await Test.createTestingModule({
      imports: [TenantsModule.register(config, createLogger('tenants', 'silent'))],
    }).compile();
    await module.init();
    const owner = new pg.Client({ connectionString: ownerUrl.toString() });
    await owner.connect();
    return new TenantsTestApp(module, owner, adminUrl, database);
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.module.get(type);
  }

  async stop(): Promise<void> {
    await this.module.close();
    await this.owner.end();
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
    await admin.end();
  }

  /** A tenant written by the owner role, as fixtures are. */
  async createTenant(name = 'Tenant'): Promise<TenantId> {
    const { rows } = await this.owner.query<{ id: string }>(
      `INSERT INTO tenants (name, slug) VALUES ($1, $2) RETURNING id`,
      [name, `t-${randomUUID().slice(0, 8)}`],
    );
    return tenantIdOf(rows[0].id);
  }
}

/** A caller acting in a tenant (the id of a user that need not exist, unless said). */
export function callerOf(role: Role, tenantId: TenantId, userId: string = randomUUID()): Caller {
  return { requestId: randomUUID(), tenantId, role, userId };
}

export const tenantAdmin = (tenantId: TenantId, userId?: string) =>
  callerOf('tenant_admin', tenantId, userId);

/** The super admin, in the platform or naming a tenant. */
export function superAdmin(tenantId?: TenantId): PlatformCaller {
  return { requestId: randomUUID(), tenantId, role: 'super_admin', userId: randomUUID() };
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as { code?: string }).code === code) {
      return;
    }
    throw new Error(`expected ${code}, got ${String((error as Error).message ?? error)}`);
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
