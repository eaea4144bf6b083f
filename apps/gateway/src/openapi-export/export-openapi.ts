import 'reflect-metadata';

import { writeFile } from 'node:fs/promises';

import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createLogger } from '@tenantbot/observability';

import { GatewayModule } from '../app.module';
import { gatewayConfigSchema } from '../config';
import { HttpMetrics } from '../http/http-metrics';
import { configureHttpServer, gatewayHttpAdapter } from '../http/http-server';
import { setUpOpenApi } from '../openapi';

/**
 * Writes the gateway's OpenAPI document (what `GET /docs-json` serves) to the file named by
 * the first argument, without a listening server or the other services: the console's typed
 * client is generated from it (`npm run console:api`).
 */
async function exportOpenApi(target: string): Promise<void> {
  const config = gatewayConfigSchema.parse({ ...process.env, LOG_LEVEL: 'silent' });
  const runtime = { config, logger: createLogger('gateway', 'silent'), metrics: new HttpMetrics() };
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register(runtime),
    gatewayHttpAdapter(runtime),
    { logger: false, abortOnError: false },
  );
  try {
    await configureHttpServer(app, runtime);
    setUpOpenApi(app);
    await app.init();
    const response = await app.getHttpAdapter().getInstance().inject('/docs-json');
    await writeFile(target, JSON.stringify(JSON.parse(response.body), null, 2) + '\n');
  } finally {
    await app.close();
  }
}

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: export-openapi.js <file.json>\n');
  process.exit(2);
}
exportOpenApi(target).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
