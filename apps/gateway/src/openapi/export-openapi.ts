// Writes the OpenAPI document to a file without starting anything (no Redis, no database):
//   node dist/apps/gateway/src/openapi/export-openapi.js [dist/openapi.json]
import 'reflect-metadata';

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createLogger } from '@tenantbot/observability';

import { GatewayModule } from '../app.module';
import { gatewayConfigSchema } from '../config';
import { HttpMetrics } from '../http/http-metrics';
import { gatewayHttpAdapter } from '../http/http-server';
import { openApiOptionsFrom } from './openapi';
import { buildOpenApiDocument } from './openapi-document';

async function exportDocument(target: string): Promise<void> {
  const config = gatewayConfigSchema.parse({ ...process.env, LOG_LEVEL: 'silent' });
  const runtime = { config, logger: createLogger('gateway', 'silent'), metrics: new HttpMetrics() };
  // Preview mode builds the module graph without instantiating providers: nothing connects.
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register(runtime),
    gatewayHttpAdapter(runtime),
    { preview: true, logger: false, abortOnError: false },
  );
  const document = buildOpenApiDocument(app, openApiOptionsFrom(config));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`openapi: ${Object.keys(document.paths).length} paths → ${target}\n`);
}

exportDocument(resolve(process.argv[2] ?? 'dist/openapi.json')).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`openapi: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
