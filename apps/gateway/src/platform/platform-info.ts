export const PLATFORM_INFO = {
  name: 'tenantbot',
  description: 'Multi-tenant AI chatbot backend with retrieval-augmented generation',
  version: process.env.npm_package_version ?? '0.1.0',
  api: '/api/v1',
  docs: '/docs',
  openapi: '/docs-json',
  health: '/health',
} as const;
