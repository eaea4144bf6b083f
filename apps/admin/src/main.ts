import 'reflect-metadata';

import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger, exitOnStartupFailure, guardProcess } from '@tenantbot/observability';
import { startService, transportOptionsFrom } from '@tenantbot/transport';

import { AdminModule } from './app.module';
import { adminConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(adminConfigSchema, 'admin');
  const logger = createLogger('admin', config.LOG_LEVEL);
  guardProcess(logger);
  await startService(AdminModule.register(config, logger), {
    service: 'admin',
    ...transportOptionsFrom(config),
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

bootstrap().catch(exitOnStartupFailure);
