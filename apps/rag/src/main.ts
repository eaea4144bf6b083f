import 'reflect-metadata';
import { loadConfigOrExit } from '@tenantbot/config';
import { createLogger, exitOnStartupFailure, guardProcess } from '@tenantbot/observability';
import { startService, transportOptionsFrom } from '@tenantbot/transport';
import { join } from 'node:path';
import { RagModule } from './app.module';
import { ragConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(ragConfigSchema, 'rag');
  const logger = createLogger('rag', config.LOG_LEVEL);
  guardProcess(logger);
  const module = RagModule.register({
    config,
    logger,
    extractionScript: join(__dirname, 'ingestion/extraction/extraction-process.js'),
  });
  await startService(module, {
    service: 'rag',
    ...transportOptionsFrom(config),
    maxInFlight: config.TRANSPORT_MAX_IN_FLIGHT,
    logger,
  });
}

bootstrap().catch(exitOnStartupFailure);
