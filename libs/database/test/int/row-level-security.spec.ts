import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { sql } from 'kysely';
import { Client, type Pool, type QueryResultRow } from 'pg';

import { type TenantId, tenantIdOf } from '@tenantbot/contracts';

import {
  type AcrossTenants,
  appUrlFrom,
  DatabaseModule,
  type InTenant,
  PlatformDatabaseModule,
  PlatformScope,
  platformUrlFrom,
  TenantDatabase,
  TenantScopedRepository,
} from '../../src';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

/** Deliberately forgets every tenant filter: row-level security alone confines these queries. */
@Injectable()
class UnfilteredUserRepository extends TenantScopedRepository {
  async usernames(tenant: InTenant): Promise<string[]> {
    const rows = await this.query(tenant, (db) =>
      db.selectFrom('users').select('username').orderBy('username').execute(),
    );
    return rows.map((row) => row.username);
  }

  async addTo(tenant: InTenant, owner: TenantId, username: string): Promise<void> {
    await this.query(tenant, (db) =>
      db
        .insertInto('users')
        .values({ tenant_id: owner, username, password_hash: 'x', role: 'user' })
        .execute(),
    );
  }

  async moveAllTo(tenant: InTenant, owner: TenantId): Promise<void> {
    await this.query(tenant, (db) => db.updateTable('users').set({ tenant_id: owner }).execute());
  }

  async remove(tenant: InTenant, username: string): Promise<number> {
    const { numDeletedRows } = await this.query(tenant, (db) =>
      db.deleteFrom('users').where('username', '=', username).executeTakeFirstOrThrow(),
    );
    return Number(numDeletedRows);
  }

  usernamesInOneRoundTrip(tenantId: TenantId): Promise<{ username: string }[]> {
    return this.statement(tenantId, (db) => db.selectFrom('users').select('username'));
  }

  addInOneRoundTrip(tenantId: TenantId, owner: TenantId, username: string): Promise<unknown[]> {
    return this.statement(
      tenantId,
      () => sql`INSERT INTO users (tenant_id, username, password_hash, role)
                VALUES (${owner}, ${username}, 'x', 'user')`,
    );
  }

  async platformSession(
    platform: AcrossTenants,
  ): Promise<{ role: string; setting: string | null }> {
    const { rows } = await this.query(platform, (db) =>
      sql<{ role: string; setting: string | null }>`
        SELECT current_user AS role, current_setting('app.platform_scope', true) AS setting`.execute(
        db,
      ),
    );
    return rows[0];
  }

  async usernamesAcrossTenants(platform: AcrossTenants, usernames: string[]): Promise<string[]> {
    const rows = await this.query(platform, (db) =>
      db
        .selectFrom('users')
        .select('username')
        .where('username', 'in', usernames)
        .orderBy('username')
        .execute(),
    );
    return rows.map((row) => row.username);
  }
}

@Module({
  imports: [PlatformDatabaseModule],
  providers: [UnfilteredUserRepository],
  exports: [UnfilteredUserRepository, PlatformDatabaseModule],
})
class UsersModule {}

describe('row-level security under the app role', () => {
  const owner = new Client({ connectionString: ownerUrl });
  /** A raw connection as the app role: what a query outside any scope sees. */
  const app = new Client({ connectionString: appUrlFrom(ownerUrl, undefined) });
  let module: TestingModule;
  let users: UnfilteredUserRepository;
  let platform: PlatformScope;
  /** The pool of `TenantDatabase`: one connection, so every scope below runs on it. */
  let tenantPool: Pool;
  let tenantA: TenantId;
  let tenantB: TenantId;

  const rowsOf = async <Row extends QueryResultRow>(
    client: Client | Pool,
    text: string,
    values: unknown[] = [],
  ): Promise<Row[]> => (await client.query<Row>(text, values)).rows;

  /** The tenant setting left on the pool's single connection, once its scopes have ended. */
  const settingLeftOnThePool = async (): Promise<string> => {
    const [{ setting }] = await rowsOf<{ setting: string | null }>(
      tenantPool,
      `SELECT current_setting('app.tenant_id', true) AS setting`,
    );
    return setting ?? '';
  };

  beforeAll(async () => {
    await Promise.all([owner.connect(), app.connect()]);
    const tenants = await rowsOf<{ id: string }>(
      owner,
      `INSERT INTO tenants (name, slug) VALUES ('A', 'rls-a'), ('B', 'rls-b') RETURNING id`,
    );
    [tenantA, tenantB] = tenants.map((row) => tenantIdOf(row.id));
    await owner.query(
      `INSERT INTO users (tenant_id, username, password_hash, role) VALUES ($1, 'alice', 'x', 'user'), ($2, 'bob', 'x', 'user')`,
      [tenantA, tenantB],
    );
    module = await Test.createTestingModule({
      imports: [
        DatabaseModule.forRoot({
          appUrl: appUrlFrom(ownerUrl, undefined),
          platformUrl: platformUrlFrom(ownerUrl, undefined),
          poolSize: 1,
          applicationName: 'tenantbot-rls-spec',
        }),
        UsersModule,
      ],
    }).compile();
    users = module.get(UnfilteredUserRepository);
    platform = module.get(PlatformScope);
    // Private by design; the test reads it only to look at the connection the scopes used.
    tenantPool = Reflect.get(module.get(TenantDatabase), 'pool') as Pool;
  });

  afterAll(async () => {
    await module?.close();
    await owner.query(`DELETE FROM tenants WHERE id IN ($1, $2)`, [tenantA, tenantB]);
    await Promise.all([owner.end(), app.end()]);
  });

  it('returns nothing to a query that forgets its tenant filter outside a tenant scope', async () => {
    expect(await rowsOf(app, `SELECT * FROM users`)).toEqual([]);
    expect(await rowsOf(app, `SELECT * FROM tenants`)).toEqual([]);
  });

  it('shows a tenant scope only its own rows, even without a WHERE clause', async () => {
    expect(await users.usernames(tenantA)).toEqual(['alice']);
  });

  it('refuses an insert that names another tenant', async () => {
    await expect(users.addTo(tenantA, tenantB, 'mallory')).rejects.toThrow(/row-level security/);
  });

  it('refuses to move a row to another tenant and cannot touch rows it cannot see', async () => {
    await expect(users.moveAllTo(tenantA, tenantB)).rejects.toThrow(/row-level security/);
    expect(await users.remove(tenantA, 'bob')).toBe(0);
    expect(await rowsOf(owner, `SELECT 1 FROM users WHERE username = 'bob'`)).toHaveLength(1);
  });

  it('leaves nothing of a tenant on a pooled connection after its transaction', async () => {
    await users.usernames(tenantA);
    // The pool has one connection: this query runs on the very connection tenant A used.
    expect(await settingLeftOnThePool()).toBe('');
    expect(await rowsOf(tenantPool, `SELECT * FROM users`)).toEqual([]);
  });

  it('crosses tenants only through PlatformScope, as the platform role, not by a session setting', async () => {
    expect(await users.platformSession(platform)).toEqual({
      role: 'tenantbot_platform',
      setting: null,
    });
    expect(await users.usernamesAcrossTenants(platform, ['alice', 'bob'])).toEqual([
      'alice',
      'bob',
    ]);
  });

  it('rejects a tenant id that is not a uuid before touching the database', async () => {
    await expect(users.usernames(`' OR 1=1 --` as TenantId)).rejects.toMatchObject({
      code: 'TENANT_REQUIRED',
    });
  });

  describe('a statement in one round trip', () => {
    it('sees only its tenant, and the setting ends with it', async () => {
      expect(await users.usernamesInOneRoundTrip(tenantA)).toEqual([{ username: 'alice' }]);
      expect(await users.usernamesInOneRoundTrip(tenantB)).toEqual([{ username: 'bob' }]);
      // The pool has one connection: the statements above ran on it.
      expect(await settingLeftOnThePool()).toBe('');
      expect(await rowsOf(tenantPool, `SELECT * FROM users`)).toEqual([]);
    });

    it('cannot write across tenants, and a failed statement leaves nothing behind', async () => {
      await expect(users.addInOneRoundTrip(tenantA, tenantB, 'mallory')).rejects.toThrow(
        /row-level security/,
      );
      expect(await settingLeftOnThePool()).toBe('');
      expect(await rowsOf(owner, `SELECT 1 FROM users WHERE username = 'mallory'`)).toEqual([]);
    });

    it('rejects a tenant id that is not a uuid before touching the database', async () => {
      await expect(users.usernamesInOneRoundTrip(`' OR 1=1 --` as TenantId)).rejects.toMatchObject({
        code: 'TENANT_REQUIRED',
      });
    });
  });

  it('connects the services as a role that owns nothing and cannot bypass RLS', async () => {
    const [role] = await rowsOf<{ rolsuper: boolean; rolbypassrls: boolean; name: string }>(
      app,
      `SELECT rolsuper, rolbypassrls, current_user AS name FROM pg_roles WHERE rolname = current_user`,
    );
    expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false });
    const owned = await rowsOf(
      owner,
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`,
      [role.name],
    );
    expect(owned).toEqual([]);
    await expect(app.query(`SELECT * FROM schema_migrations`)).rejects.toThrow(/permission denied/);
  });

  it('has FORCE row-level security and a USING + WITH CHECK policy on every tenant table', async () => {
    const tables = await rowsOf<{
      table: string;
      enabled: boolean;
      forced: boolean;
      policies: number;
    }>(
      owner,
      `
      SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
             (SELECT count(*) FROM pg_policy p
               WHERE p.polrelid = c.oid AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL)::int AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (c.relname = 'tenants' OR EXISTS (
              SELECT 1 FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(5);
    const unprotected = tables.filter((t) => !t.enabled || !t.forced || t.policies === 0);
    expect(unprotected).toEqual([]);
  });
});
