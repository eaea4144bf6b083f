import {
  appConnectionUrl,
  platformConnectionUrl,
  type ServiceDatabaseConfig,
} from './database-config';

/** How `DatabaseModule.forRoot` connects: the app role's pool, and the platform role's. */
export interface DatabaseOptions {
  appUrl: string;
  platformUrl: string;
  /** Connections of each pool at most. */
  poolSize: number;
  /** `application_name` in `pg_stat_activity`, e.g. `tenantbot-chat`. */
  applicationName: string;
}

export function databaseOptionsFrom(
  config: ServiceDatabaseConfig,
  applicationName: string,
): DatabaseOptions {
  return {
    appUrl: appConnectionUrl(config),
    platformUrl: platformConnectionUrl(config),
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName,
  };
}
