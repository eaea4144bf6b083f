import { z } from 'zod';

import { databaseEnvSchema } from '@tenantbot/config';

import { appUrlFrom, platformUrlFrom, withPassword } from './connection-url';

/** What a service needs to reach Postgres as the app role, and as the platform role. */
export const serviceDatabaseEnvSchema = databaseEnvSchema.extend({
  DATABASE_APP_PASSWORD: z.string().optional(),
  /** The platform role's connection (`PlatformScope`); the owner's URL with its user by default. */
  DATABASE_PLATFORM_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_PLATFORM_PASSWORD: z.string().optional(),
});

export type ServiceDatabaseConfig = z.output<typeof serviceDatabaseEnvSchema>;

export function appConnectionUrl(config: ServiceDatabaseConfig): string {
  return withPassword(
    appUrlFrom(config.DATABASE_URL, config.DATABASE_APP_URL),
    config.DATABASE_APP_PASSWORD,
  );
}

export function platformConnectionUrl(config: ServiceDatabaseConfig): string {
  return withPassword(
    platformUrlFrom(config.DATABASE_URL, config.DATABASE_PLATFORM_URL),
    config.DATABASE_PLATFORM_PASSWORD,
  );
}
