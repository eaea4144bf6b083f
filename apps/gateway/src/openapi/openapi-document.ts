import {
  extendZodWithOpenApi,
  OpenApiGeneratorV3,
  OpenAPIRegistry,
  type ResponseConfig,
  type RouteConfig,
  type ZodContentObject,
  type ZodRequestBody,
} from '@asteasolutions/zod-to-openapi';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

import { ErrorCode, httpStatusFor, ZodPipe } from '@tenantbot/contracts';

import { ALLOWED_ROLES, PUBLIC_ROUTE } from '../auth/decorators';
import { httpErrorBodySchema } from '../http/error-response';
import { PLATFORM_INFO } from '../platform/platform-info';
import { VISITOR_ALLOWED } from '../web-channel/visitor-route';
import {
  errorsOf,
  inputOf,
  type MultipartForm,
  repliesOf,
  type ReplyContract,
} from './api-contract';
import { nameSchema, nameSchemas } from './named-schemas';

extendZodWithOpenApi(z);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];

export const TENANT_HEADER = 'X-Tenant-ID';

/** The failures any authenticated route can answer, before it does anything of its own. */
const AUTHENTICATED_ERRORS: ErrorCode[] = [
  ErrorCode.UNAUTHORIZED,
  ErrorCode.FORBIDDEN,
  ErrorCode.TENANT_MISMATCH,
  ErrorCode.TENANT_INACTIVE,
  ErrorCode.TENANT_NOT_FOUND,
  ErrorCode.RATE_LIMITED,
];
const INPUT_ERRORS: ErrorCode[] = [ErrorCode.VALIDATION_FAILED, ErrorCode.INVALID_REQUEST];
const BODY_ERRORS: ErrorCode[] = [
  ErrorCode.MALFORMED_JSON,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNSUPPORTED_MEDIA_TYPE,
];

const TAG_DESCRIPTIONS: Record<string, string> = {
  health: 'Platform information, liveness, dependencies and metrics',
  auth: 'Log in, refresh and revoke tokens; who the caller is',
  tenants: 'Tenants (super admin) and the caller’s own tenant and domains',
  users: 'Users of a tenant (tenant admin; super admin anywhere)',
  'api-keys': 'API keys of a tenant, usable as the Bearer',
  admin: 'Usage and statistics of a tenant or the platform',
  chat: 'Answers grounded in the tenant’s documents; conversations; models',
  rag: 'The knowledge base: documents, ingestion, search and retrieval evaluation',
  widgets: 'Website chat widgets (tenant admin)',
  'widget (public)': 'What a page with the widget calls, checked against its Origin',
};

export interface OpenApiOptions {
  /** The deployment's public base URL (`PUBLIC_URL`), the document's server. */
  serverUrl: string;
}

/**
 * The OpenAPI document of every route the gateway serves, from the same zod schemas that
 * validate the requests (the routes' `ZodPipe`s) and the replies (`@ApiReply`), turned into
 * OpenAPI by zod-to-openapi. Nest's own scan contributes the paths, operation ids, tags,
 * summaries and descriptions (`@ApiOperation`); everything else comes from here.
 */
export function buildOpenApiDocument(
  app: INestApplication,
  options: OpenApiOptions,
): OpenAPIObject {
  nameSchemas();
  nameSchema('Error', httpErrorBodySchema);
  const scanned = SwaggerModule.createDocument(app, new DocumentBuilder().build());
  const routes = routeHandlersOf(app);
  const registry = new OpenAPIRegistry();
  registerComponents(registry);
  const tenantHeader = registry.registerParameter(
    'TenantId',
    z
      .string()
      .max(200)
      .optional()
      .openapi({
        param: {
          name: TENANT_HEADER,
          in: 'header',
          description:
            'The tenant (id or slug). A user’s or API key’s own tenant is the default; a super ' +
            'admin names any tenant here. Another tenant than the credential’s: 403 TENANT_MISMATCH.',
        },
      }),
  );
  const tags = new Set<string>();
  for (const [path, item] of Object.entries(scanned.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      const route = operation?.operationId ? routes.get(operation.operationId) : undefined;
      if (!operation || !route) {
        continue;
      }
      operation.tags?.forEach((tag) => tags.add(tag));
      registry.registerPath(describeRoute({ path, method, operation, route, tenantHeader }));
    }
  }
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'tenantbot API',
      version: PLATFORM_INFO.version,
      description:
        'Multi-tenant AI chatbot backend with retrieval-augmented generation. Send ' +
        '`Authorization: Bearer <access token, API key or visitor token>` and, where a route ' +
        'takes it, `X-Tenant-ID`. Errors are JSON `{statusCode, code, message, request_id, ' +
        'details?}` with a stable `code`; every response carries `X-Request-ID`.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    servers: [{ url: options.serverUrl, description: 'This deployment (PUBLIC_URL)' }],
    tags: [...tags].sort().map((name) => ({
      name,
      description: TAG_DESCRIPTIONS[name] ?? name,
    })),
  });
  return withoutUntypedNullable(document) as OpenAPIObject;
}

/**
 * zod-to-openapi writes `z.unknown()` as `{nullable: true}`, which OpenAPI 3.0 does not allow
 * (`nullable` needs a `type`). Any value is `{}`.
 */
function withoutUntypedNullable<T>(node: T): T {
  if (Array.isArray(node)) {
    return node.map((item: unknown) => withoutUntypedNullable(item)) as T;
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const entries = Object.entries(node).map(([key, value]) => [key, withoutUntypedNullable(value)]);
  const untyped = !('type' in node) && !('$ref' in node) && 'nullable' in node;
  return Object.fromEntries(untyped ? entries.filter(([key]) => key !== 'nullable') : entries) as T;
}

interface RouteHandler {
  controller: object;
  methodName: string;
  handler: object;
}

/** Each controller method of the application, by the operation id Nest's scan gives it. */
function routeHandlersOf(app: INestApplicationContext): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function') {
        continue;
      }
      const prototype = controller.prototype as Record<string, unknown>;
      for (const methodName of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[methodName];
        if (typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler)) {
          routes.set(`${controller.name}_${methodName}`, { controller, methodName, handler });
        }
      }
    }
  }
  return routes;
}

interface ScannedOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: unknown[];
  /** From `@ApiSecurity`: a route with its own credential (`/metrics`). */
  security?: Record<string, string[]>[];
}

interface RouteToDescribe {
  path: string;
  method: Method;
  operation: ScannedOperation;
  route: RouteHandler;
  tenantHeader: z.ZodType;
}

function describeRoute({
  path,
  method,
  operation,
  route,
  tenantHeader,
}: RouteToDescribe): RouteConfig {
  const { handler } = route;
  const isPublic = metadataOf<boolean>(PUBLIC_ROUTE, route) === true;
  const pipes = zodInputsOf(route);
  const input = inputOf(handler);
  const body = input.body ?? pipes.body;
  const query = input.query ?? pipes.query;
  const scannedHeaders = headerParametersOf(operation);
  const takesTenant = !isPublic || scannedHeaders.some((header) => header.name === TENANT_HEADER);
  const errors = [
    ...(isPublic ? [] : AUTHENTICATED_ERRORS),
    ...(body || query || pipes.params || input.multipart ? INPUT_ERRORS : []),
    ...(body || input.multipart ? BODY_ERRORS : []),
    ...errorsOf(handler),
  ];
  return {
    method,
    path,
    operationId: operation.operationId,
    summary: operation.summary,
    description: withRoles(operation.description, metadataOf<string[]>(ALLOWED_ROLES, route)),
    tags: operation.tags,
    security:
      operation.security ??
      securityOf(isPublic, metadataOf<boolean>(VISITOR_ALLOWED, route) === true),
    parameters: scannedHeaders.filter((header) => header.name !== TENANT_HEADER),
    request: {
      params: pipes.params,
      query,
      headers: takesTenant ? [tenantHeader] : undefined,
      body: requestBodyOf(body, input.multipart, input.example),
    },
    responses: {
      ...errorResponsesOf(errors),
      // An @ApiReply for an error status replaces the derived one (a body of another shape).
      ...repliesByStatus(route, method),
      default: {
        description:
          'Any other failure: 500 INTERNAL_ERROR (with an error id to quote), ' +
          '503 SERVICE_UNAVAILABLE, 504 TIMEOUT',
        content: { 'application/json': { schema: httpErrorBodySchema } },
      },
    },
  };
}

function metadataOf<T>(key: string, { handler, controller }: RouteHandler): T | undefined {
  return (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as
    T | undefined;
}

interface ZodInputs {
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
}

/** The schemas of the `ZodPipe`s on the route's `@Body`, `@Query` and `@Param`. */
function zodInputsOf({ controller, methodName }: RouteHandler): ZodInputs {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<
    string,
    { pipes?: unknown[] }
  >;
  const inputs: ZodInputs = {};
  for (const [key, argument] of Object.entries(args)) {
    const schema = argument.pipes?.find((pipe) => pipe instanceof ZodPipe)?.schema;
    if (!schema) {
      continue;
    }
    switch (Number(key.split(':')[0])) {
      case RouteParamtypes.BODY:
        inputs.body = schema;
        break;
      case RouteParamtypes.QUERY:
        inputs.query = asObject(schema);
        break;
      case RouteParamtypes.PARAM:
        inputs.params = asObject(schema);
        break;
    }
  }
  return inputs;
}

function asObject(schema: z.ZodType): z.ZodObject | undefined {
  return schema instanceof z.ZodObject ? schema : undefined;
}

/** A type, not an interface: it must fit OpenAPI's parameter objects (index signature). */
type HeaderParameter = {
  name: string;
  in: 'header';
  required?: boolean;
  description?: string;
  schema?: { type?: 'string' };
};

/** Headers a route declares with `@ApiHeader` (e.g. `Origin` on the widget's public calls). */
function headerParametersOf(operation: ScannedOperation): HeaderParameter[] {
  return (operation.parameters ?? []).filter(
    (parameter): parameter is HeaderParameter =>
      typeof parameter === 'object' &&
      parameter !== null &&
      (parameter as { in?: string }).in === 'header',
  );
}

function securityOf(isPublic: boolean, visitorAllowed: boolean): Record<string, string[]>[] {
  if (isPublic) {
    return [];
  }
  return [
    { bearer: [] },
    { bearer: [], tenant: [] },
    { apiKey: [] },
    ...(visitorAllowed ? [{ visitor: [] }] : []),
  ];
}

function withRoles(description: string | undefined, roles: string[] | undefined) {
  if (!roles) {
    return description;
  }
  const who = `Roles: ${roles.map((role) => `\`${role}\``).join(', ')}.`;
  return description ? `${description}\n\n${who}` : who;
}

function requestBodyOf(
  body: z.ZodType | undefined,
  multipart: MultipartForm | undefined,
  example: unknown,
): ZodRequestBody | undefined {
  if (!body && !multipart) {
    return undefined;
  }
  const content: ZodContentObject = {};
  if (multipart) {
    content['multipart/form-data'] = { schema: multipartSchemaOf(multipart) };
  }
  if (body) {
    content['application/json'] = { schema: body, ...(example === undefined ? {} : { example }) };
  }
  return { required: !body?.safeParse(undefined).success, content };
}

function multipartSchemaOf({ files, fields = [] }: MultipartForm) {
  return {
    type: 'object' as const,
    required: files,
    properties: Object.fromEntries([
      ...files.map((name) => [name, { type: 'string' as const, format: 'binary' }]),
      ...fields.map((name) => [name, { type: 'string' as const }]),
    ]),
  };
}

function repliesByStatus(route: RouteHandler, method: Method): Record<string, ResponseConfig> {
  const status =
    (Reflect.getMetadata(HTTP_CODE_METADATA, route.handler) as number | undefined) ??
    (method === 'post' ? 201 : 200);
  const responses: Record<string, ResponseConfig> = {};
  for (const reply of repliesOf(route.handler)) {
    const key = String(reply.status ?? status);
    const earlier = responses[key];
    const description = reply.description ?? (key === '204' ? 'No content' : 'Success');
    const content = { ...earlier?.content, ...contentOf(reply) };
    responses[key] = {
      description: earlier ? `${earlier.description}\n\n${description}` : description,
      ...(Object.keys(content).length > 0 ? { content } : {}),
    };
  }
  return responses;
}

function contentOf({ schema, mediaTypes = ['application/json'], example }: ReplyContract) {
  if (!schema) {
    return {};
  }
  return Object.fromEntries(
    mediaTypes.map((mediaType) => [
      mediaType,
      mediaType === 'application/json' && example !== undefined ? { schema, example } : { schema },
    ]),
  );
}

/** One response per status, its body the error schema with the codes this route may answer. */
function errorResponsesOf(codes: ErrorCode[]): Record<string, ResponseConfig> {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of codes) {
    const status = httpStatusFor(code);
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, statusCodes]) => {
        const list = [...statusCodes];
        return [
          String(status),
          {
            description: list.map((code) => `\`${code}\``).join(', '),
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    { $ref: '#/components/schemas/Error' },
                    {
                      type: 'object',
                      properties: { code: { type: 'string', enum: list } },
                    },
                  ],
                },
              },
            },
          },
        ];
      }),
  );
}

function registerComponents(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from `POST /api/v1/auth/login` (or `/auth/refresh`).',
  });
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'tbk_<prefix>_<secret>',
    description:
      'A tenant API key (`POST /api/v1/api-keys`), sent as the Bearer; it names its tenant.',
  });
  registry.registerComponent('securitySchemes', 'visitor', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'visitor token',
    description:
      'A website visitor’s token from `POST /api/v1/widget/sessions`: chat in its own conversations only.',
  });
  registry.registerComponent('securitySchemes', 'metrics', {
    type: 'http',
    scheme: 'bearer',
    description: 'The deployment’s `METRICS_TOKEN` (`/metrics` only).',
  });
  registry.registerComponent('securitySchemes', 'tenant', {
    type: 'apiKey',
    in: 'header',
    name: TENANT_HEADER,
    description:
      'The tenant (id or slug) to act in: a super admin names one; others may name their own.',
  });
}
