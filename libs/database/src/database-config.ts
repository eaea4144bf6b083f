import { z } from 'zod';

import { databaseEnvSchema } from '@tenantbot/config';

import { appUrlFrom, withPassword } from './connection-url';

/** What a service needs to reach Postgres as the app role. */
export const serviceDatabaseEnvSchema = databaseEnvSchema.extend({
  DATABASE_APP_PASSWORD: z.string().optional(),
});

export function appConnectionUrl(config: z.output<typeof serviceDatabaseEnvSchema>): string {
  return withPassword(
    appUrlFrom(config.DATABASE_URL, config.DATABASE_APP_URL),
    config.DATABASE_APP_PASSWORD,
  );
}
