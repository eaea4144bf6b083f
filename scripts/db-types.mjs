#!/usr/bin/env node
// npm run db:types: the Kysely schema types, generated from the migrations.
// Creates a throwaway database, runs the migrations into it (the built migrator, dist/), writes
// what kysely-codegen reads of it into libs/database/src/schema.generated.ts, drops the database.
// `--check` writes nothing and exits 1 when the committed file differs (libs/database's
// schema-types spec runs it, so a migration without regenerated types fails the suite).
// The owner connection: TEST_DATABASE_ADMIN_URL, else postgres://postgres@127.0.0.1:5432/postgres.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'libs/database/src/schema.generated.ts');
const check = process.argv.includes('--check');

async function main() {
  const adminUrl =
    process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `tenantbot_types_${Date.now().toString(36)}_${process.pid}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${database}`;

  await admin(adminUrl, `CREATE DATABASE "${database}"`);
  try {
    run('migrate', [join(root, 'dist/libs/database/src/migrate.js')], {
      DATABASE_URL: databaseUrl.toString(),
    });
    const generated = generate(databaseUrl.toString(), await tenantColumns(databaseUrl.toString()));
    if (check) {
      if (generated !== readFileSync(committed, 'utf8')) {
        process.stderr.write(
          'db:types: libs/database/src/schema.generated.ts is not what the migrations make: run npm run db:types\n',
        );
        process.exitCode = 1;
      }
    } else {
      writeFileSync(committed, generated);
      process.stdout.write(`db:types: wrote ${committed}\n`);
    }
  } finally {
    await admin(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
}

/** Every column that holds a tenant's id: typed `TenantId`, so a write or filter needs a checked one. */
async function tenantColumns(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`
      SELECT table_name || '.' || column_name AS name, is_nullable = 'YES' AS nullable
        FROM information_schema.columns
       WHERE table_schema = 'public' AND (column_name = 'tenant_id' OR (table_name, column_name) = ('tenants', 'id'))
       ORDER BY 1`);
    return rows;
  } finally {
    await client.end();
  }
}

function generate(databaseUrl, tenantIdColumns) {
  const overrides = Object.fromEntries(
    tenantIdColumns.map(({ name, nullable }) => [
      name,
      name === 'tenants.id' ? 'Generated<TenantId>' : nullable ? 'TenantId | null' : 'TenantId',
    ]),
  );
  const dir = mkdtempSync(join(tmpdir(), 'tenantbot-db-types-'));
  const outFile = join(dir, 'schema.generated.ts');
  try {
    run(
      'kysely-codegen',
      [
        join(root, 'node_modules/kysely-codegen/dist/cli/bin.js'),
        '--dialect=postgres',
        `--url=${databaseUrl}`,
        `--out-file=${outFile}`,
        '--exclude-pattern=schema_migrations',
        `--custom-imports=${JSON.stringify({ TenantId: '@tenantbot/contracts#TenantId' })}`,
        `--overrides=${JSON.stringify({ columns: overrides })}`,
        '--log-level=error',
      ],
      {},
    );
    return readFileSync(outFile, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(what, args, env) {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit code ${result.status})`);
  }
}

async function admin(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  process.stderr.write(`db:types: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
