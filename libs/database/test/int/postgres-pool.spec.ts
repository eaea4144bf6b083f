import { afterAll, expect, it, jest } from '@jest/globals';
import { Client } from 'pg';

import { appUrlFrom } from '../../src';
import { createPool } from '../../src/postgres-pool';

const ownerUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tenantbot';
const pool = createPool(appUrlFrom(ownerUrl, undefined), 1, 'tenantbot-pool-spec');

afterAll(() => pool.end());

it('survives the server closing an idle connection, and the next query opens a new one', async () => {
  const warnings = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const idlePid = rows[0].pid;

  await terminate(idlePid);

  const again = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const written = warnings.mock.calls.map(([line]) => String(line)).join('');
  warnings.mockRestore();
  expect(again.rows[0].pid).not.toBe(idlePid);
  expect(written).toContain('a database connection was closed by the server');
});

it('survives the server closing a connection a transaction holds between two statements', async () => {
  const warnings = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const held = await pool.connect();
  const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await terminate(rows[0].pid);

  await expect(held.query('SELECT 1')).rejects.toThrow();
  held.release(true);
  const written = warnings.mock.calls.map(([line]) => String(line)).join('');
  warnings.mockRestore();
  expect(written).toContain('a database connection was closed by the server');
  expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});

async function terminate(pid: number): Promise<void> {
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  await owner.query('SELECT pg_terminate_backend($1)', [pid]);
  await owner.end();
  await new Promise((resolve) => setTimeout(resolve, 200));
}
