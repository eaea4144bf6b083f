import { Client, escapeIdentifier, escapeLiteral } from 'pg';

import { databaseNameOf, PLATFORM_ROLE, userOf } from './connection-url';
import { createDataSource } from './data-source';

export interface MigrateOptions {
  /** Owner connection (with password); the owner runs DDL. */
  ownerUrl: string;
  /** The services' connection; its user becomes a role that owns nothing. */
  appUrl: string;
  appPassword?: string;
  /** The platform role's connection (`PlatformScope`); its user must be `tenantbot_platform`. */
  platformUrl: string;
  platformPassword?: string;
}

const MIGRATION_LOCK = 7_274_001;
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Brings a database up to date: creates it if missing, runs pending migrations under an
 * advisory lock (several migrators may start at once in a deployment), then makes sure the
 * app and platform roles exist, cannot bypass row-level security and have DML rights only,
 * and that the app role is no member of the platform role.
 * Returns the names of the migrations it ran.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const appRole = userOf(options.appUrl);
  const platformRole = userOf(options.platformUrl);
  checkRoles(userOf(options.ownerUrl), appRole, platformRole);
  await createDatabaseIfMissing(options.ownerUrl);

  const dataSource = createDataSource({
    url: options.ownerUrl,
    poolSize: 1,
    applicationName: 'tenantbot-migrate',
  });
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    const query: Query = dataSource.query.bind(dataSource);
    const database = databaseNameOf(options.ownerUrl);
    await ensureLoginRole(query, appRole, options.appPassword);
    await grantDataRights(query, appRole, database);
    await ensureLoginRole(query, platformRole, options.platformPassword);
    await grantDataRights(query, platformRole, database);
    await query(`REVOKE ${escapeIdentifier(platformRole)} FROM ${escapeIdentifier(appRole)}`);
    await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    return ran.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

type Query = (sql: string, parameters?: unknown[]) => Promise<unknown>;

function checkRoles(owner: string, app: string, platform: string): void {
  if (!ROLE_NAME.test(app)) {
    throw new Error(`app role "${app}" is not a plain role name`);
  }
  if (app === owner) {
    throw new Error('DATABASE_APP_URL must use a role other than the owner of the tables');
  }
  // The policies name the platform role (migration 1796600000000).
  if (platform !== PLATFORM_ROLE) {
    throw new Error(`DATABASE_PLATFORM_URL must use the role ${PLATFORM_ROLE}, not "${platform}"`);
  }
  if (app === platform) {
    throw new Error('the app and platform roles must differ');
  }
}

async function createDatabaseIfMissing(ownerUrl: string): Promise<void> {
  const name = databaseNameOf(ownerUrl);
  const maintenanceUrl = new URL(ownerUrl);
  maintenanceUrl.pathname = '/postgres';
  const client = new Client({ connectionString: maintenanceUrl.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
}

async function ensureLoginRole(query: Query, role: string, password?: string): Promise<void> {
  const exists = (await query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])) as unknown[];
  const name = escapeIdentifier(role);
  if (exists.length === 0) {
    await query(`CREATE ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`).catch(
      (error: { code?: string }) => {
        if (error.code !== '42710') {
          throw error;
        } // created meanwhile by a parallel migrator
      },
    );
  }
  await query(`ALTER ROLE ${name} LOGIN NOSUPERUSER NOBYPASSRLS`);
  if (password) {
    await query(`ALTER ROLE ${name} PASSWORD ${escapeLiteral(password)}`);
  }
}

async function grantDataRights(query: Query, role: string, database: string): Promise<void> {
  const name = escapeIdentifier(role);
  await query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${name}`);
  await query(`GRANT USAGE ON SCHEMA public TO ${name}`);
  await query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${name}`);
  await query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${name}`);
  await query(`REVOKE ALL ON schema_migrations FROM ${name}`);
}
