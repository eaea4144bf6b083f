import { DataSource, type EntitySchema, type MixedList } from 'typeorm';

import { ALL_MIGRATIONS } from './migrations';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  applicationName?: string;
}

/**
 * A TypeORM data source. Schema changes happen only through the committed migrations
 * (never `synchronize`), run by the owner role; services connect as the app role.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities ?? [],
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
