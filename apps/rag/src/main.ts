import 'reflect-metadata';
import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger } from '@tenantbot/observability';
import { startService } from '@tenantbot/transport';
import { join } from 'node:path';
import { RagModule } from './app.module';
import { ragConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(ragConfigSchema, 'rag');
  const logger = createLogger('rag', config.LOG_LEVEL);
  const module = RagModule.register({
    config,
    logger,
    extractionScript: join(__dirname, 'ingestion/extraction/extraction-process.js'),
  });
  await startService(module, {
    service: 'rag',
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    timeoutMs: config.TRANSPORT_TIMEOUT_MS,
    claimIdleMs: config.TRANSPORT_CLAIM_IDLE_MS,
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

void bootstrap();
