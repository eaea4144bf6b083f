import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { RouteTable } from '../../src/http/pre-routing-errors';
import { openApiOptionsFrom } from '../../src/openapi/openapi';
import { buildOpenApiDocument } from '../../src/openapi/openapi-document';
import { GatewayHarness } from './support/gateway-harness';

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name?: string; in?: string; $ref?: string }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown> }>;
    parameters: Record<string, { name: string; in: string }>;
    securitySchemes: Record<string, { type: string; in?: string; name?: string }>;
  };
}

const PUBLIC_URL = 'https://api.tenantbot.test';
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, with its path and method. */
function operationsOf(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation, name: `${method} ${path}` })),
  );
}

const TENANT_PARAMETER = '#/components/parameters/TenantId';

describe('the OpenAPI document', () => {
  let gateway: GatewayHarness;
  let document: Document;

  beforeAll(async () => {
    gateway = await GatewayHarness.start({ PUBLIC_URL });
    // What /docs-json serves (SwaggerModule.setup needs @fastify/static, which Jest's ESM
    // runtime cannot import; the end-to-end journey reads the served one).
    const built = buildOpenApiDocument(gateway.app, openApiOptionsFrom(gateway.config));
    document = JSON.parse(JSON.stringify(built)) as Document;
  });
  afterAll(() => gateway?.stop());

  it('describes every route the gateway serves (listed from its router)', () => {
    const served = gateway.app
      .get(RouteTable)
      .routes()
      .filter(({ method }) => !['HEAD', 'OPTIONS'].includes(method))
      .map(({ method, url }) => `${method.toLowerCase()} ${url.replace(/:(\w+)/g, '{$1}')}`);
    const documented = operationsOf(document).map((operation) => operation.name);

    expect(served.length).toBeGreaterThan(40);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((operation) => !served.includes(operation))).toEqual([]);
  });

  it('gives every operation a success response with a schema, or a 204', () => {
    const withoutReply = operationsOf(document)
      .filter(({ operation }) => {
        const success = Object.entries(operation.responses).filter(([status]) =>
          /^2\d\d$/.test(status),
        );
        const described = success.filter(
          ([status, response]) =>
            status === '204' ||
            Object.values(response.content ?? {}).some((media) => media.schema !== undefined),
        );
        return success.length === 0 || described.length !== success.length;
      })
      .map(({ name }) => name);

    expect(withoutReply).toEqual([]);
  });

  it('declares every path parameter, and gives every operation an id and a summary', () => {
    const problems = operationsOf(document).flatMap(({ path, operation, name }) => {
      const declared = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name);
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, parameter]) => parameter);
      return [
        ...inPath
          .filter((parameter) => !declared.includes(parameter))
          .map((p) => `${name}: {${p}}`),
        ...(operation.operationId ? [] : [`${name}: no operationId`]),
        ...(operation.summary ? [] : [`${name}: no summary`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('answers errors with the shared error schema and the codes of each status', () => {
    const operation = document.paths['/api/v1/rag/documents/{id}'].get;
    expect(operation.responses['404']).toEqual(
      expect.objectContaining({
        content: {
          'application/json': {
            schema: {
              allOf: [
                { $ref: '#/components/schemas/Error' },
                {
                  type: 'object',
                  properties: {
                    code: {
                      type: 'string',
                      enum: expect.arrayContaining(['TENANT_NOT_FOUND', 'DOCUMENT_NOT_FOUND']),
                    },
                  },
                },
              ],
            },
          },
        },
      }),
    );
    expect(operation.responses['401']).toBeDefined();
    expect(operation.responses.default).toBeDefined();
    expect(Object.keys(document.components.schemas.Error.properties ?? {})).toEqual([
      'statusCode',
      'code',
      'message',
      'request_id',
      'details',
    ]);
  });

  it('says who may call each route: security [] on public ones, Bearer and X-Tenant-ID on the rest', () => {
    const login = document.paths['/api/v1/auth/login'].post;
    const chat = document.paths['/api/v1/chat'].post;
    const documents = document.paths['/api/v1/rag/documents'].get;

    expect(login.security).toEqual([]);
    expect(document.paths['/health'].get.security).toEqual([]);
    expect(chat.security).toEqual(
      expect.arrayContaining([{ bearer: [] }, { apiKey: [] }, { visitor: [] }]),
    );
    expect(documents.security).toContainEqual({ bearer: [], tenant: [] });
    expect(documents.security).not.toContainEqual({ visitor: [] });
    expect(document.components.securitySchemes.tenant).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Tenant-ID' }),
    );
    expect(document.components.parameters.TenantId).toEqual(
      expect.objectContaining({ name: 'X-Tenant-ID', in: 'header' }),
    );
    const tenantScoped = operationsOf(document).filter(
      ({ operation }) =>
        (operation.security ?? []).length > 0 && !('metrics' in (operation.security?.[0] ?? {})),
    );
    expect(
      tenantScoped
        .filter(({ operation }) => !operation.parameters?.some((p) => p.$ref === TENANT_PARAMETER))
        .map(({ name }) => name),
    ).toEqual([]);
    expect(login.parameters).toContainEqual({ $ref: TENANT_PARAMETER });
  });

  it('takes the upload as multipart with a binary `file`, or as JSON', () => {
    const upload = document.paths['/api/v1/rag/documents'].post.requestBody;
    expect(upload?.content['multipart/form-data'].schema).toEqual({
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
    expect(upload?.content['application/json'].schema).toBeDefined();
  });

  it('documents the chat answer with tokens_used (an object) and total_tokens (a number)', () => {
    const answer = document.paths['/api/v1/chat'].post.responses['200'];
    expect(answer.content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ChatResponse',
    });
    expect(answer.content?.['text/event-stream']).toBeDefined();
    expect(document.components.schemas.ChatResponse.properties).toEqual(
      expect.objectContaining({
        tokens_used: expect.objectContaining({ type: 'object' }),
        total_tokens: expect.objectContaining({ type: 'integer' }),
      }),
    );
  });

  it('names PUBLIC_URL as its server', () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    expect(document.servers).toEqual([expect.objectContaining({ url: PUBLIC_URL })]);
  });
});
