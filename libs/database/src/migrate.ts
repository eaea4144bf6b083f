// Runs the database migrations as the owner role:  node dist/libs/database/src/migrate.js
import { z } from 'zod';

import { databaseEnvSchema, loadConfigOrExit } from '@tenantbot/config';

import { appUrlFrom, platformUrlFrom, withPassword } from './connection-url';
import { migrate } from './migrator';

const schema = databaseEnvSchema.extend({
  DATABASE_PASSWORD: z.string().optional(),
  DATABASE_APP_PASSWORD: z.string().optional(),
  DATABASE_PLATFORM_URL: z.string().optional(),
  DATABASE_PLATFORM_PASSWORD: z.string().optional(),
});

async function main(): Promise<void> {
  const config = loadConfigOrExit(schema, 'migrate');
  const ran = await migrate({
    ownerUrl: withPassword(config.DATABASE_URL, config.DATABASE_PASSWORD),
    appUrl: appUrlFrom(config.DATABASE_URL, config.DATABASE_APP_URL),
    appPassword: config.DATABASE_APP_PASSWORD,
    platformUrl: platformUrlFrom(config.DATABASE_URL, config.DATABASE_PLATFORM_URL),
    platformPassword: config.DATABASE_PLATFORM_PASSWORD,
  });
  process.stdout.write(
    ran.length > 0 ? `migrate: applied ${ran.join(', ')}\n` : 'migrate: database is up to date\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
