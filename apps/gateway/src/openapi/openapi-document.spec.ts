import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Delete, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';

import { ErrorCode, idParamSchema, ZodPipe } from '@tenantbot/contracts';

import { Public, Roles } from '../auth/decorators';
import { VisitorAllowed } from '../web-channel/visitor-route';
import { ApiErrors, ApiInput, ApiReply } from './api-contract';
import { buildOpenApiDocument } from './openapi-document';

const noteSchema = z.strictObject({ text: z.string().min(1), pinned: z.boolean().default(false) });
const noteViewSchema = z.object({ id: z.uuid(), text: z.string(), extra: z.unknown() });
const foreignErrorSchema = z.object({ error: z.object({ message: z.string(), type: z.string() }) });

/** A feature as another engineer would add it: the pattern of docs/architecture.md. */
@Controller('api/v1/notes')
class NotesController {
  @Post()
  @Roles('tenant_admin')
  @VisitorAllowed()
  @ApiOperation({ summary: 'Add a note' })
  @ApiInput({ example: { text: 'hello' } })
  @ApiReply(noteViewSchema)
  @ApiErrors(ErrorCode.CONFLICT)
  create(@Body(new ZodPipe(noteSchema)) body: z.output<typeof noteSchema>) {
    return body;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a note' })
  @ApiReply()
  @ApiReply(foreignErrorSchema, { status: 401, description: 'An error of another shape' })
  remove(@Param(new ZodPipe(idParamSchema)) params: { id: string }) {
    return params;
  }

  @Get('public')
  @Public()
  @ApiOperation({ summary: 'Anyone may read it' })
  @ApiReply(z.string(), { mediaTypes: ['text/plain'] })
  open() {
    return 'open';
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

interface Operation {
  security?: unknown[];
  parameters?: { name?: string; in?: string; $ref?: string }[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: unknown; example?: unknown }>;
  };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  description?: string;
}

describe('buildOpenApiDocument', () => {
  let app: NestFastifyApplication;
  let paths: Record<string, Record<string, Operation>>;
  let schemas: Record<string, unknown>;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(NotesModule, new FastifyAdapter(), {
      preview: true,
      logger: false,
    });
    const document = JSON.parse(
      JSON.stringify(buildOpenApiDocument(app, { serverUrl: 'https://api.example.test' })),
    ) as { paths: typeof paths; components: { schemas: typeof schemas } };
    paths = document.paths;
    schemas = document.components.schemas;
  });
  afterAll(() => app?.close());

  it('takes the request body from the ZodPipe, with its example, and the reply from @ApiReply', () => {
    const create = paths['/api/v1/notes'].post;
    expect(create.requestBody?.required).toBe(true);
    expect(create.requestBody?.content['application/json']).toEqual({
      schema: {
        type: 'object',
        properties: {
          text: { type: 'string', minLength: 1 },
          pinned: { type: 'boolean', default: false },
        },
        required: ['text'],
        additionalProperties: false,
      },
      example: { text: 'hello' },
    });
    expect(create.responses['201'].content?.['application/json'].schema).toEqual(
      expect.objectContaining({ type: 'object', required: ['id', 'text'] }),
    );
  });

  it('writes z.unknown() as any value ({}), not as an untyped nullable', () => {
    const reply = paths['/api/v1/notes'].post.responses['201'].content?.['application/json'];
    expect(reply?.schema).toEqual(
      expect.objectContaining({ properties: expect.objectContaining({ extra: {} }) }),
    );
  });

  it('adds the common errors and the route’s own, with the Error schema', () => {
    const create = paths['/api/v1/notes'].post;
    const codesOf = (status: string) =>
      (
        create.responses[status].content?.['application/json'].schema as {
          allOf: [unknown, { properties: { code: { enum: string[] } } }];
        }
      ).allOf[1].properties.code.enum;
    expect(codesOf('400')).toEqual(
      expect.arrayContaining(['VALIDATION_FAILED', 'INVALID_REQUEST', 'MALFORMED_JSON']),
    );
    expect(codesOf('401')).toEqual(['UNAUTHORIZED']);
    expect(codesOf('409')).toEqual(['CONFLICT']);
    expect(schemas.Error).toBeDefined();
  });

  it('derives security: roles and visitors from the guards’ metadata, [] when public', () => {
    expect(paths['/api/v1/notes'].post.security).toEqual([
      { bearer: [] },
      { bearer: [], tenant: [] },
      { apiKey: [] },
      { visitor: [] },
    ]);
    expect(paths['/api/v1/notes'].post.description).toContain('Roles: `tenant_admin`.');
    expect(paths['/api/v1/notes/public'].get.security).toEqual([]);
    expect(paths['/api/v1/notes/public'].get.parameters ?? []).toEqual([]);
    expect(paths['/api/v1/notes/{id}'].delete.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path' }),
        { $ref: '#/components/parameters/TenantId' },
      ]),
    );
  });

  it('lets an @ApiReply for an error status replace the derived response', () => {
    const remove = paths['/api/v1/notes/{id}'].delete;
    expect(remove.responses['204']).toEqual({ description: 'No content' });
    expect(remove.responses['401']).toEqual({
      description: 'An error of another shape',
      content: { 'application/json': { schema: expect.objectContaining({ type: 'object' }) } },
    });
    expect(remove.responses['403']).toBeDefined();
  });
});
