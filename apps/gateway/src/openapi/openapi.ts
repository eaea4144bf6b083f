import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';

import { buildOpenApiDocument, type OpenApiOptions } from './openapi-document';

/**
 * Serves the OpenAPI document at /docs-json (and /docs-yaml) and Swagger UI at /docs. In Swagger
 * UI, "Authorize" with `tenant` (X-Tenant-ID) sends the header on every tenant-scoped call.
 */
export function setUpOpenApi(app: INestApplication, options: OpenApiOptions): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, options), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'tenantbot API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}

/** The server of the document: PUBLIC_URL, else this host on PORT. */
export function openApiOptionsFrom(config: { PUBLIC_URL?: string; PORT: number }): OpenApiOptions {
  return { serverUrl: (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '') };
}
