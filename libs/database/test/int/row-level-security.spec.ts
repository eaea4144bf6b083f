import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';

import { appUrlFrom, createDataSource, sqlLiteral, TenantScope } from '../../src';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

describe('row-level security under the app role', () => {
  let owner: DataSource;
  let app: DataSource;
  let scope: TenantScope;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    owner = await createDataSource({ url: ownerUrl, poolSize: 1 }).initialize();
    app = await createDataSource({
      url: appUrlFrom(ownerUrl, undefined),
      poolSize: 1,
    }).initialize();
    scope = new TenantScope(app);
    const rows = (await owner.query(
      `INSERT INTO tenants (name, slug) VALUES ('A', 'rls-a'), ('B', 'rls-b') RETURNING id`,
    )) as { id: string }[];
    [tenantA, tenantB] = rows.map((row) => row.id);
    await owner.query(
      `INSERT INTO users (tenant_id, username, password_hash, role) VALUES ($1, 'alice', 'x', 'user'), ($2, 'bob', 'x', 'user')`,
      [tenantA, tenantB],
    );
  });

  afterAll(async () => {
    await owner.query(`DELETE FROM tenants WHERE id IN ($1, $2)`, [tenantA, tenantB]);
    await Promise.all([owner.destroy(), app.destroy(), scope.destroy()]);
  });

  it('returns nothing to a query that forgets its tenant filter outside a tenant scope', async () => {
    expect(await app.query(`SELECT * FROM users`)).toEqual([]);
    expect(await app.query(`SELECT * FROM tenants`)).toEqual([]);
  });

  it('shows a tenant scope only its own rows, even without a WHERE clause', async () => {
    const users = await scope.run(tenantA, (db) => db.query(`SELECT username FROM users`));
    expect(users).toEqual([{ username: 'alice' }]);
  });

  it('refuses an insert that names another tenant', async () => {
    await expect(
      scope.run(tenantA, (db) =>
        db.query(
          `INSERT INTO users (tenant_id, username, password_hash, role) VALUES ($1, 'mallory', 'x', 'user')`,
          [tenantB],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('refuses to move a row to another tenant and cannot touch rows it cannot see', async () => {
    await expect(
      scope.run(tenantA, (db) => db.query(`UPDATE users SET tenant_id = $1`, [tenantB])),
    ).rejects.toThrow(/row-level security/);
    const [, deleted] = (await scope.run(tenantA, (db) =>
      db.query(`DELETE FROM users WHERE username = 'bob'`),
    )) as [unknown, number];
    expect(deleted).toBe(0);
    expect(await owner.query(`SELECT 1 FROM users WHERE username = 'bob'`)).toHaveLength(1);
  });

  it('leaves nothing of a tenant on a pooled connection after its transaction', async () => {
    await scope.run(tenantA, (db) => db.query(`SELECT 1`));
    // The pool has one connection: this query runs on the very connection tenant A used.
    const [{ setting }] = (await app.query(
      `SELECT current_setting('app.tenant_id', true) AS setting`,
    )) as {
      setting: string | null;
    }[];
    expect(setting ?? '').toBe('');
    expect(await app.query(`SELECT * FROM users`)).toEqual([]);
  });

  it('runs the deprecated runAcrossTenants as the platform role, not by a session setting', async () => {
    const [row] = (await scope.runAcrossTenants((db) =>
      db.query(
        `SELECT current_user AS role, current_setting('app.platform_scope', true) AS setting`,
      ),
    )) as { role: string; setting: string | null }[];
    expect(row).toEqual({ role: 'tenantbot_platform', setting: null });
    const users = await scope.runAcrossTenants((db) =>
      db.query(`SELECT username FROM users WHERE username IN ('alice', 'bob') ORDER BY username`),
    );
    expect(users).toEqual([{ username: 'alice' }, { username: 'bob' }]);
  });

  it('rejects a tenant id that is not a uuid before touching the database', async () => {
    await expect(scope.run(`' OR 1=1 --`, (db) => db.query('SELECT 1'))).rejects.toMatchObject({
      code: 'TENANT_REQUIRED',
    });
  });

  describe('a statement in one round trip', () => {
    const currentTenantSetting = async () => {
      const [{ setting }] = (await app.query(
        `SELECT current_setting('app.tenant_id', true) AS setting`,
      )) as { setting: string | null }[];
      return setting ?? '';
    };

    it('sees only its tenant, and the setting ends with it', async () => {
      expect(await scope.statement(tenantA, `SELECT username FROM users`)).toEqual([
        { username: 'alice' },
      ]);
      expect(await scope.statement(tenantB, `SELECT username FROM users`)).toEqual([
        { username: 'bob' },
      ]);
      // The pool has one connection: the statements above ran on it.
      expect(await currentTenantSetting()).toBe('');
      expect(await app.query(`SELECT * FROM users`)).toEqual([]);
    });

    it('cannot write across tenants, and a failed statement leaves nothing behind', async () => {
      await expect(
        scope.statement(
          tenantA,
          `INSERT INTO users (tenant_id, username, password_hash, role)
           VALUES (${sqlLiteral(tenantB)}, 'mallory', 'x', 'user')`,
        ),
      ).rejects.toThrow(/row-level security/);
      expect(await currentTenantSetting()).toBe('');
      expect(await owner.query(`SELECT 1 FROM users WHERE username = 'mallory'`)).toEqual([]);
    });

    it('rejects a tenant id that is not a uuid before touching the database', async () => {
      await expect(scope.statement(`' OR 1=1 --`, 'SELECT 1')).rejects.toMatchObject({
        code: 'TENANT_REQUIRED',
      });
    });
  });

  it('connects the services as a role that owns nothing and cannot bypass RLS', async () => {
    const [role] = (await app.query(
      `SELECT rolsuper, rolbypassrls, current_user AS name FROM pg_roles WHERE rolname = current_user`,
    )) as { rolsuper: boolean; rolbypassrls: boolean; name: string }[];
    expect(role).toMatchObject({ rolsuper: false, rolbypassrls: false });
    const owned = await owner.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`,
      [role.name],
    );
    expect(owned).toEqual([]);
    await expect(app.query(`SELECT * FROM schema_migrations`)).rejects.toThrow(/permission denied/);
  });

  it('has FORCE row-level security and a USING + WITH CHECK policy on every tenant table', async () => {
    const tables = (await owner.query(`
      SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
             (SELECT count(*) FROM pg_policy p
               WHERE p.polrelid = c.oid AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL)::int AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (c.relname = 'tenants' OR EXISTS (
              SELECT 1 FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))`)) as {
      table: string;
      enabled: boolean;
      forced: boolean;
      policies: number;
    }[];
    expect(tables.length).toBeGreaterThanOrEqual(5);
    const unprotected = tables.filter((t) => !t.enabled || !t.forced || t.policies === 0);
    expect(unprotected).toEqual([]);
  });
});
