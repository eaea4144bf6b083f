import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, QueryRunner } from 'typeorm';

import { createDataSource, PLATFORM_ROLE, tenantTableSecuritySql } from '../src';
import { PlatformRole1796600000000 } from '../src/migrations/1796600000000-platform-role';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';

/** Replayed inside one owner transaction that is rolled back: nothing of it stays. */
describe('migration PlatformRole and the policies of a new tenant table', () => {
  let owner: DataSource;
  let runner: QueryRunner;
  const migration = new PlatformRole1796600000000();

  const policies = async (table: string) =>
    (
      (await runner.query(
        `SELECT polname, array_to_string(polroles::regrole[], ',') AS roles,
                pg_get_expr(polqual, polrelid) AS rule
           FROM pg_policy WHERE polrelid = $1::regclass ORDER BY polname`,
        [table],
      )) as { polname: string; roles: string; rule: string }[]
    ).map(({ polname, roles, rule }) => `${polname} ${roles}: ${rule}`);

  beforeAll(async () => {
    owner = await createDataSource({ url: ownerUrl, poolSize: 1 }).initialize();
    runner = owner.createQueryRunner();
    await runner.startTransaction();
  });

  afterAll(async () => {
    await runner?.rollbackTransaction();
    await runner?.release();
    await owner?.destroy();
  });

  it('goes down to the session-setting policies and up again', async () => {
    await migration.down(runner);
    const [before] = await policies('users');
    expect(before).toContain('platform_scope');
    expect(await policies('users')).toHaveLength(1);

    await migration.up(runner);
    expect(await policies('users')).toEqual([
      `platform_access ${PLATFORM_ROLE}: true`,
      // '-': a policy for every role
      expect.stringMatching(/^tenant_isolation -: \(tenant_id = \( SELECT/),
    ]);
    expect((await policies('users')).join()).not.toContain('platform_scope');
  });

  it('secures a new tenant table the way the migration left the others', async () => {
    await runner.query(`CREATE TABLE spec_notes (tenant_id uuid NOT NULL, body text)`);
    for (const sql of tenantTableSecuritySql('spec_notes', PLATFORM_ROLE)) {
      await runner.query(sql);
    }
    const rules = (list: string[]) => list.map((policy) => policy.replace(/^\S+ /, ''));
    expect(rules(await policies('spec_notes'))).toEqual(rules(await policies('usage_records')));
    const [{ forced }] = (await runner.query(
      `SELECT relforcerowsecurity AS forced FROM pg_class WHERE oid = 'spec_notes'::regclass`,
    )) as { forced: boolean }[];
    expect(forced).toBe(true);
  });
});
