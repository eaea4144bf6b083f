import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';

import { appUrlFrom, PLATFORM_ROLE, platformUrlFrom } from '../../src';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

/**
 * The app role alone cannot read across tenants, whatever session setting it writes: only a
 * connection as the platform role sees every tenant. Each attempt below is one a SQL injection
 * in a service could make.
 */
describe('the app role cannot cross tenants; the platform role can', () => {
  const owner = new Client({ connectionString: ownerUrl });
  const app = new Client({ connectionString: appUrlFrom(ownerUrl, undefined) });
  const platform = new Client({ connectionString: platformUrlFrom(ownerUrl, undefined) });
  let tenantA: string;
  let tenantB: string;

  const usernames = async (client: Client = app): Promise<string[]> => {
    const { rows } = await client.query<{ username: string }>(
      `SELECT username FROM users WHERE username IN ('role-alice', 'role-bob') ORDER BY username`,
    );
    return rows.map((row) => row.username);
  };

  /** Runs `statements` in a transaction of the app role scoped to tenant A, then reads. */
  const inTenantA = async (...statements: string[]): Promise<string[]> => {
    await app.query(`BEGIN; SELECT set_config('app.tenant_id', '${tenantA}', true)`);
    try {
      for (const statement of statements) {
        await app.query(statement);
      }
      return await usernames();
    } finally {
      await app.query('ROLLBACK');
    }
  };

  beforeAll(async () => {
    await Promise.all([owner.connect(), app.connect(), platform.connect()]);
    const { rows } = await owner.query<{ id: string }>(
      `INSERT INTO tenants (name, slug) VALUES ('A', 'role-a'), ('B', 'role-b') RETURNING id`,
    );
    [tenantA, tenantB] = rows.map((row) => row.id);
    await owner.query(
      `INSERT INTO users (tenant_id, username, password_hash, role)
       VALUES ($1, 'role-alice', 'x', 'user'), ($2, 'role-bob', 'x', 'user')`,
      [tenantA, tenantB],
    );
  });

  afterAll(async () => {
    await owner.query(`DELETE FROM tenants WHERE id IN ($1, $2)`, [tenantA, tenantB]);
    await Promise.all([owner.end(), app.end(), platform.end()]);
  });

  it('sees only its own tenant in its scope', async () => {
    expect(await inTenantA()).toEqual(['role-alice']);
  });

  it('gains nothing from the former platform setting, in or out of a tenant scope', async () => {
    await app.query(`SELECT set_config('app.platform_scope', 'on', false)`);
    try {
      expect(await usernames()).toEqual([]);
      expect(await inTenantA(`SELECT set_config('app.platform_scope', 'on', true)`)).toEqual([
        'role-alice',
      ]);
    } finally {
      await app.query(`RESET app.platform_scope`);
    }
  });

  it("sees one tenant at a time when it sets another tenant's id inside a scope", async () => {
    expect(await inTenantA(`SELECT set_config('app.tenant_id', '${tenantB}', true)`)).toEqual([
      'role-bob',
    ]);
    await expect(
      inTenantA(`SELECT set_config('app.tenant_id', '${tenantA},${tenantB}', true)`),
    ).rejects.toThrow(/invalid input syntax for type uuid/);
  });

  it('sees nothing with an empty, NULL or unrelated setting', async () => {
    for (const value of [`''`, 'NULL', `'on'`, `'*'`]) {
      await app.query(`SELECT set_config('app.tenant_id', ${value}, false)`).catch(() => undefined);
      const seen = await usernames().catch(() => []);
      expect({ value, seen }).toEqual({ value, seen: [] });
    }
    await app.query(`RESET app.tenant_id`);
    for (const setting of ['app.platform', 'app.bypass', 'app.role', 'app.tenant']) {
      await app.query(`SELECT set_config('${setting}', 'on', false)`);
      expect(await usernames()).toEqual([]);
      await app.query(`RESET ${setting}`);
    }
  });

  it('cannot turn row-level security off', async () => {
    await app.query('SET row_security = off');
    try {
      await expect(usernames()).rejects.toThrow(/row-level security/);
    } finally {
      await app.query('RESET row_security');
    }
    await expect(app.query('ALTER TABLE users DISABLE ROW LEVEL SECURITY')).rejects.toThrow(
      /must be owner/,
    );
    await expect(app.query('DROP POLICY tenant_isolation ON users')).rejects.toThrow(
      /must be owner/,
    );
  });

  it('cannot become the platform role, or any other', async () => {
    await expect(app.query(`SET ROLE ${PLATFORM_ROLE}`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`SET SESSION AUTHORIZATION ${PLATFORM_ROLE}`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(app.query(`SET ROLE postgres`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`GRANT ${PLATFORM_ROLE} TO CURRENT_USER`)).rejects.toThrow(
      /permission denied|must have admin option/,
    );
    const { rows } = await owner.query<{ member: boolean }>(
      `SELECT pg_has_role('tenantbot_app', $1, 'MEMBER') AS member`,
      [PLATFORM_ROLE],
    );
    expect(rows).toEqual([{ member: false }]);
    expect(await usernames()).toEqual([]);
  });

  it('lets the platform role see and write every tenant, without any setting', async () => {
    expect(await usernames(platform)).toEqual(['role-alice', 'role-bob']);
    const { rowCount } = await platform.query(
      `UPDATE users SET updated_at = now() WHERE username IN ('role-alice', 'role-bob')`,
    );
    expect(rowCount).toBe(2);
  });

  it('gives the platform role no superuser or BYPASSRLS, and no table of its own', async () => {
    const { rows } = await owner.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`,
      [PLATFORM_ROLE],
    );
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const owned = await owner.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`,
      [PLATFORM_ROLE],
    );
    expect(owned.rows).toEqual([]);
  });

  it('has no policy left that reads app.platform_scope, and a platform policy on every tenant table', async () => {
    const { rows } = await owner.query<{ table: string; policies: string[] }>(`
      SELECT c.relname AS table, array_agg(p.polname ORDER BY p.polname)::text[] AS policies
        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
       GROUP BY c.relname`);
    for (const { table, policies } of rows) {
      expect({ table, policies }).toEqual({
        table,
        policies: ['platform_access', 'tenant_isolation'],
      });
    }
    const reading = await owner.query(`
      SELECT polname FROM pg_policy
       WHERE pg_get_expr(polqual, polrelid) LIKE '%platform_scope%'
          OR pg_get_expr(polwithcheck, polrelid) LIKE '%platform_scope%'`);
    expect(reading.rows).toEqual([]);
  });
});
