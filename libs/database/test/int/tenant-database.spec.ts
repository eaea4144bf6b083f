import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { type Kysely, sql } from 'kysely';
import { Client } from 'pg';

import { type TenantId, tenantIdOf } from '@tenantbot/contracts';

import {
  type AcrossTenants,
  appUrlFrom,
  DatabaseModule,
  type InTenant,
  PlatformDatabaseModule,
  PlatformScope,
  platformUrlFrom,
  type Queries,
  type Schema,
  type ScopedTransaction,
  TenantDatabase,
  tenantOfScope,
  TenantScopedRepository,
} from '../../src';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

@Injectable()
class UserRepository extends TenantScopedRepository {
  usernames(tenant: InTenant): Promise<string[]> {
    return this.query(tenant, async (db) => {
      const rows = await db
        .selectFrom('users')
        .select('username')
        .where('username', 'like', 'db-%')
        .orderBy('username')
        .execute();
      return rows.map((row) => row.username);
    });
  }

  async add(tx: ScopedTransaction, username: string): Promise<void> {
    await this.query(tx, (db) =>
      db
        .insertInto('users')
        .values({ tenant_id: tx.tenantId, username, password_hash: 'x', role: 'user' })
        .execute(),
    );
  }

  async usernamesInOneRoundTrip(tenantId: TenantId, pattern: string): Promise<string[]> {
    const rows = await this.statement(tenantId, (db) =>
      db.selectFrom('users').select(['username', 'tenant_id']).where('username', 'like', pattern),
    );
    return rows.map((row) => row.username).sort();
  }

  countInOneRoundTrip(tenantId: TenantId): Promise<{ count: number }[]> {
    return this.statement(
      tenantId,
      () =>
        sql<{
          count: number;
        }>`SELECT count(*)::int AS count FROM users WHERE username LIKE ${'db-%'}`,
    );
  }

  /** A misuse: running a query on the builder of a statement, outside any scope. */
  async runOnTheStatementBuilder(tenantId: TenantId): Promise<string> {
    let run = Promise.resolve('not run');
    await this.statement(tenantId, (db) => {
      run = db
        .selectFrom('users')
        .selectAll()
        .execute()
        .then(
          () => 'ran',
          (error: Error) => error.message,
        );
      return db.selectFrom('users').select('username');
    });
    return run;
  }

  /** A misuse past the compiler (`Queries` has no `transaction`): Kysely's own transaction. */
  nestedTransaction(tenant: InTenant): Promise<void> {
    return this.query(tenant, (db) => {
      const uncovered = db as Kysely<Schema>;
      return uncovered.transaction().execute(() => Promise.resolve());
    });
  }

  /** Raw SQL where the builder stops: a `sql` template run on the scope's queries. */
  async rawUsernames(tenant: InTenant): Promise<string[]> {
    const { rows } = await this.query(tenant, (db) =>
      sql<{ username: string }>`SELECT username FROM users WHERE username LIKE ${'db-%'}
                                 ORDER BY username`.execute(db),
    );
    return rows.map((row) => row.username);
  }

  /** A report of a tenant, or of the platform: counts its users either way. */
  countUsers(scope: InTenant | AcrossTenants): Promise<number> {
    const tenantId = tenantOfScope(scope);
    return this.query(scope, async (db) => {
      let query = db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('username', 'like', 'db-%');
      if (tenantId) {
        query = query.where('tenant_id', '=', tenantId);
      }
      const { count } = await query.executeTakeFirstOrThrow();
      return Number(count);
    });
  }

  acrossTenants(
    platform: AcrossTenants,
  ): Promise<{ username: string; tenant_id: TenantId | null }[]> {
    return this.query(platform, (db) =>
      db
        .selectFrom('users')
        .select(['username', 'tenant_id'])
        .where('username', 'like', 'db-%')
        .orderBy('username')
        .execute(),
    );
  }
}

@Module({ providers: [UserRepository], exports: [UserRepository] })
class UsersModule {}

/** A feature that crosses tenants: it imports PlatformDatabaseModule. */
@Injectable()
class PlatformReport {
  constructor(
    readonly platform: PlatformScope,
    readonly users: UserRepository,
  ) {}
}

@Module({ imports: [UsersModule, PlatformDatabaseModule], providers: [PlatformReport] })
class PlatformReportModule {}

/** A feature that does not import PlatformDatabaseModule, yet asks for the scope. */
@Injectable()
class TenantFeature {
  constructor(readonly platform: PlatformScope) {}
}

@Module({ providers: [TenantFeature] })
class TenantFeatureModule {}

const databaseOptions = {
  appUrl: appUrlFrom(ownerUrl, undefined),
  platformUrl: platformUrlFrom(ownerUrl, undefined),
  poolSize: 2,
  applicationName: 'tenantbot-database-spec',
};

describe('TenantDatabase, TenantScopedRepository and PlatformScope', () => {
  const owner = new Client({ connectionString: ownerUrl });
  let module: TestingModule;
  let database: TenantDatabase;
  let users: UserRepository;
  let report: PlatformReport;
  let tenantA: TenantId;
  let tenantB: TenantId;

  beforeAll(async () => {
    await owner.connect();
    const { rows } = await owner.query<{ id: string }>(
      `INSERT INTO tenants (name, slug) VALUES ('A', 'db-a'), ('B', 'db-b') RETURNING id`,
    );
    [tenantA, tenantB] = rows.map((row) => tenantIdOf(row.id));
    await owner.query(
      `INSERT INTO users (tenant_id, username, password_hash, role)
       VALUES ($1, 'db-alice', 'x', 'user'), ($2, 'db-bob', 'x', 'user')`,
      [tenantA, tenantB],
    );
    module = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot(databaseOptions), UsersModule, PlatformReportModule],
    }).compile();
    database = module.get(TenantDatabase);
    users = module.get(UserRepository);
    report = module.get(PlatformReport);
  });

  afterAll(async () => {
    await module?.close();
    await owner.query(`DELETE FROM tenants WHERE id IN ($1, $2)`, [tenantA, tenantB]);
    await owner.end();
  });

  it("runs a repository's query in its tenant's scope, typed from the schema", async () => {
    expect(await users.usernames(tenantA)).toEqual(['db-alice']);
    expect(await users.usernames(tenantB)).toEqual(['db-bob']);
  });

  it('runs raw SQL in the scope too', async () => {
    expect(await users.rawUsernames(tenantB)).toEqual(['db-bob']);
  });

  it('runs several repository calls in one unit of work, committed together', async () => {
    await database.transaction(tenantA, async (tx) => {
      await users.add(tx, 'db-carol');
      await users.add(tx, 'db-dave');
      expect(await users.usernames(tx)).toEqual(['db-alice', 'db-carol', 'db-dave']);
    });
    expect(await users.usernames(tenantA)).toEqual(['db-alice', 'db-carol', 'db-dave']);
  });

  it('rolls the whole unit of work back when it throws', async () => {
    await expect(
      database.transaction(tenantB, async (tx) => {
        await users.add(tx, 'db-erin');
        throw new Error('the exchange failed');
      }),
    ).rejects.toThrow('the exchange failed');
    expect(await users.usernames(tenantB)).toEqual(['db-bob']);
  });

  it('reads in one round trip, parameters inlined, still confined to the tenant', async () => {
    expect(await users.usernamesInOneRoundTrip(tenantA, 'db-%')).toEqual([
      'db-alice',
      'db-carol',
      'db-dave',
    ]);
    expect(await users.usernamesInOneRoundTrip(tenantB, "db-%' OR true --")).toEqual([]);
    expect(await users.countInOneRoundTrip(tenantB)).toEqual([{ count: 1 }]);
  });

  it("runs nothing on a statement's builder, which has no scope", async () => {
    expect(await users.runOnTheStatementBuilder(tenantA)).toMatch(/built, not run/);
  });

  it('refuses to open a transaction inside a scope, which already is one', async () => {
    await expect(users.nestedTransaction(tenantA)).rejects.toThrow(/already in a transaction/);
    expect(await users.usernames(tenantA)).toEqual(['db-alice', 'db-carol', 'db-dave']);
  });

  it('refuses a tenant id that is not one, before touching the database', async () => {
    const forged = `' OR 1=1 --` as TenantId;
    await expect(users.usernames(forged)).rejects.toMatchObject({ code: 'TENANT_REQUIRED' });
    await expect(users.usernamesInOneRoundTrip(forged, '%')).rejects.toMatchObject({
      code: 'TENANT_REQUIRED',
    });
    await expect(users.usernames({} as ScopedTransaction)).rejects.toThrow(/not a scope/);
  });

  it('lets the platform scope see every tenant, alone or in a transaction', async () => {
    const usernames = ['db-alice', 'db-bob', 'db-carol', 'db-dave'];
    const rows = await report.users.acrossTenants(report.platform);
    expect(rows.map((row) => row.username)).toEqual(usernames);
    const inTransaction = await report.platform.transaction((tx) => report.users.acrossTenants(tx));
    expect(inTransaction.map((row) => row.username)).toEqual(usernames);
  });

  it("runs a report in a tenant's scope or the platform's", async () => {
    expect(await users.countUsers(tenantB)).toBe(1);
    expect(await database.transaction(tenantB, (tx) => users.countUsers(tx))).toBe(1);
    expect(await report.users.countUsers(report.platform)).toBe(4);
  });

  it('provides the platform scope only to the modules that import PlatformDatabaseModule', async () => {
    await expect(
      Test.createTestingModule({
        imports: [DatabaseModule.forRoot(databaseOptions), TenantFeatureModule],
      }).compile(),
    ).rejects.toThrow(/PlatformScope/);
  });
});

/** Never run: `npm run typecheck` proves each misuse below does not compile. */
export function queriesWithoutTheirScopeDoNotCompile(
  repository: UserRepository,
  platform: PlatformScope,
  tx: ScopedTransaction,
): void {
  // @ts-expect-error a plain string is no TenantId
  void repository.usernames('7f0e2d8c-1b7a-4d1e-9a55-0c1c2b3d4e5f');
  // @ts-expect-error a tenant's method does not take the platform scope
  void repository.usernames(platform);
  // @ts-expect-error a cross-tenant method does not take a tenant
  void repository.acrossTenants(tx);
  // @ts-expect-error a service holding a transaction cannot write SQL with it
  void tx.selectFrom;
  // @ts-expect-error nor with the platform scope
  void platform.selectFrom;
}

/** Never run: a repository's queries cannot leave or end their scope. */
export function queriesCannotLeaveTheirScope(db: Queries): void {
  // @ts-expect-error a scope already is a transaction
  void db.transaction;
  // @ts-expect-error nor take another connection of the pool
  void db.connection;
  // @ts-expect-error nor close the pool
  void db.destroy;
}

@Injectable()
export class RepositoryReachingPastItsScope extends TenantScopedRepository {
  everyone() {
    // @ts-expect-error the base keeps its database to itself: a subclass queries through `query`
    return this.database;
  }
}
