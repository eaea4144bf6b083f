import 'reflect-metadata';
import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger } from '@tenantbot/observability';
import { startService, transportOptionsFrom } from '@tenantbot/transport';
import { ChatModule } from './app.module';
import { chatConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(chatConfigSchema, 'chat');
  const logger = createLogger('chat', config.LOG_LEVEL);
  await startService(ChatModule.register(config, logger), {
    service: 'chat',
    ...transportOptionsFrom(config),
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

void bootstrap();
