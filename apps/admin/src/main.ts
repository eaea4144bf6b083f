import 'reflect-metadata';
import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger } from '@tenantbot/observability';
import { startService } from '@tenantbot/transport';
import { AdminModule } from './app.module';
import { adminConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(adminConfigSchema, 'admin');
  const logger = createLogger('admin', config.LOG_LEVEL);
  await startService(AdminModule.register(config, logger), {
    service: 'admin',
    redisUrl: config.REDIS_URL,
    redisPassword: config.REDIS_PASSWORD,
    prefix: config.REDIS_PREFIX,
    timeoutMs: config.TRANSPORT_TIMEOUT_MS,
    claimIdleMs: config.TRANSPORT_CLAIM_IDLE_MS,
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

void bootstrap();
