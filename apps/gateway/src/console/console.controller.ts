import { join } from 'node:path';

import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { Public } from '../auth/decorators';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { CONSOLE_CSP, consoleFile } from './console-files';

/**
 * Built by scripts/build.mjs (Vite) from apps/console: dist/console. Resolved when first
 * served: `__dirname` exists in the built app (CommonJS), not in the ESM test runs, which set
 * CONSOLE_DIR.
 */
const builtConsole = () => join(__dirname, '..', '..', '..', '..', 'console');

/** The web console: static files at /console, every client route answered with index.html. */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  index(@Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    return this.serve('', reply);
  }

  // Fastify's wildcard (the gateway's routes are Fastify's: find-my-way syntax).
  @Get('*')
  file(@Param('*') path: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    return this.serve(path, reply);
  }

  private async serve(path: string, reply: FastifyReply): Promise<Buffer> {
    const file = await consoleFile(this.config.CONSOLE_DIR ?? builtConsole(), path);
    if (!file) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'no such file in the console');
    }
    void reply
      .type(file.contentType)
      .header('Cache-Control', file.cacheControl)
      .header('Content-Security-Policy', CONSOLE_CSP)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY')
      .header('Cross-Origin-Opener-Policy', 'same-origin');
    return file.body;
  }
}
