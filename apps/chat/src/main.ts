import 'reflect-metadata';

import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger, exitOnStartupFailure, guardProcess } from '@tenantbot/observability';
import { startService, transportOptionsFrom } from '@tenantbot/transport';

import { AppModule } from './app.module';
import { chatConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(chatConfigSchema, 'chat');
  const logger = createLogger('chat', config.LOG_LEVEL);
  guardProcess(logger);
  await startService(AppModule.register(config, logger), {
    service: 'chat',
    ...transportOptionsFrom(config),
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

bootstrap().catch(exitOnStartupFailure);
