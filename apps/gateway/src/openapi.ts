import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { PLATFORM_INFO } from './platform/platform-info';

/** Serves the OpenAPI document at /docs-json and Swagger UI at /docs. */
export function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('tenantbot API')
      .setDescription(
        'Multi-tenant AI chatbot backend with RAG. Send `Authorization: Bearer <token or API key>` ' +
          'and, for tenant-scoped calls, `X-Tenant-ID`. Errors are JSON ' +
          '`{statusCode, code, message, request_id, details?}` with a stable `code`.',
      )
      .setVersion(PLATFORM_INFO.version)
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Tenant-ID' }, 'tenant')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
