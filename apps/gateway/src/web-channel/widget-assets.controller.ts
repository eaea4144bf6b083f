import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import {
  DomainError,
  ErrorCode,
  parseOrThrow,
  widgetConfigQuerySchema,
} from '@tenantbot/contracts';

import { Public } from '../auth/decorators';
import { ApiErrors, ApiInput, ApiReply } from '../openapi/api-contract';
import { textSchema } from '../openapi/gateway-replies';

/**
 * Built by scripts/build.mjs (esbuild) from apps/widget: dist/widget/embed.js. Resolved when
 * first served: `__dirname` exists in the built app (CommonJS), not in the ESM test runs.
 */
const bundlePath = () => join(__dirname, '..', '..', '..', '..', 'widget', 'embed.js');

/** The embeddable chat widget's loader, and a demo page embedding it. */
@ApiTags('widget (public)')
@Public()
@Controller()
export class WidgetAssetsController {
  private bundle?: Promise<string>;

  @Get('widget/embed.js')
  @ApiReply(textSchema, { mediaTypes: ['application/javascript'] })
  @ApiErrors(ErrorCode.SERVICE_UNAVAILABLE)
  @ApiOperation({
    summary: 'The chat widget: one script tag on any page of an allowed origin',
    description:
      'A script element with `src="https://API_HOST/widget/embed.js"`, `data-key="pk_…"` and ' +
      '`async` on the page, or load it and call `TenantbotChat.init({ key, position })`.',
  })
  embed(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.serveBundle(reply);
  }

  @Get('chat/embed.js')
  @ApiReply(textSchema, { mediaTypes: ['application/javascript'] })
  @ApiErrors(ErrorCode.SERVICE_UNAVAILABLE)
  @ApiOperation({ summary: 'Alias of /widget/embed.js' })
  embedAlias(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.serveBundle(reply);
  }

  @Get('chat/widget')
  @ApiInput({ query: widgetConfigQuerySchema })
  @ApiReply(textSchema, { mediaTypes: ['text/html'] })
  @ApiOperation({
    summary: 'A demo page embedding the widget of `key`',
    description:
      "The widget's allowed_origins must list this API's own origin for the demo to chat.",
  })
  demo(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): string {
    // Validated here, not by a pipe: an error must leave as JSON, before the HTML headers are set.
    const { key } = parseOrThrow(widgetConfigQuerySchema, query);
    void reply
      .type('text/html; charset=utf-8')
      .header(
        'Content-Security-Policy',
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:",
      );
    // The key matches /^pk_[A-Za-z0-9_-]{24}$/: nothing in it can break out of the attribute.
    return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tenantbot widget demo</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>tenantbot widget demo</h1>
<p>The chat button is in the corner of this page.</p>
<script src="/widget/embed.js" data-key="${key}" async></script>
</body>
</html>
`;
  }

  /** The headers are set once the bundle is read: an error leaves as JSON. */
  private async serveBundle(reply: FastifyReply): Promise<string> {
    const code = await this.loadBundle();
    void reply
      .type('application/javascript; charset=utf-8')
      .header('Cache-Control', 'public, max-age=300')
      .header('Cross-Origin-Resource-Policy', 'cross-origin');
    return code;
  }

  private loadBundle(): Promise<string> {
    this.bundle ??= readFile(bundlePath(), 'utf8').catch(() => {
      this.bundle = undefined;
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'the widget is not built: run node scripts/build.mjs',
      );
    });
    return this.bundle;
  }
}
