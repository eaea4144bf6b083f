import { DataSource } from 'typeorm';

import { ALL_MIGRATIONS } from './migrations';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/**
 * The migrator's TypeORM data source, as the owner role: schema changes happen only through
 * the committed migrations (never `synchronize`). TypeORM is only the migrations' engine;
 * services reach the database through `TenantDatabase` and `PlatformScope`. Tests use it for
 * the owner's setup and clean-up.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'tenantbot',
      connectionTimeoutMillis: 5000,
    },
  });
}
