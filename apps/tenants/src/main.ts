import 'reflect-metadata';

import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger, exitOnStartupFailure, guardProcess } from '@tenantbot/observability';
import { startService, transportOptionsFrom } from '@tenantbot/transport';

import { TenantsModule } from './app.module';
import { tenantsConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(tenantsConfigSchema, 'tenants');
  const logger = createLogger('tenants', config.LOG_LEVEL);
  guardProcess(logger);
  await startService(TenantsModule.register(config, logger), {
    service: 'tenants',
    ...transportOptionsFrom(config),
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

bootstrap().catch(exitOnStartupFailure);
