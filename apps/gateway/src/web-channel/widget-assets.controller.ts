import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, widgetConfigQuerySchema } from '@tenantbot/contracts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { Public } from '../auth/decorators';
import { validated } from '../http/zod-validation.pipe';

/** Built by scripts/build.mjs (esbuild) from apps/widget: dist/widget/embed.js. */
const BUNDLE_PATH = join(__dirname, '..', '..', '..', '..', 'widget', 'embed.js');

/** The embeddable chat widget's loader, and a demo page embedding it. */
@ApiTags('widget (public)')
@Public()
@Controller()
export class WidgetAssetsController {
  private bundle?: Promise<string>;

  @Get('widget/embed.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  @ApiProduces('application/javascript')
  @ApiOperation({
    summary: 'The chat widget: one script tag on any page of an allowed origin',
    description:
      '`<script src="https://API_HOST/widget/embed.js" data-key="pk_…" async></script>`, or load it ' +
      'and call `TenantbotChat.init({ key, position })`.',
  })
  embed(): Promise<string> {
    return this.loadBundle();
  }

  @Get('chat/embed.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  @ApiProduces('application/javascript')
  @ApiOperation({ summary: 'Alias of /widget/embed.js' })
  embedAlias(): Promise<string> {
    return this.loadBundle();
  }

  @Get('chat/widget')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header(
    'Content-Security-Policy',
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:",
  )
  @ApiProduces('text/html')
  @ApiOperation({
    summary: 'A demo page embedding the widget of `key`',
    description:
      "The widget's allowed_origins must list this API's own origin for the demo to chat.",
  })
  demo(@Query(validated(widgetConfigQuerySchema)) query: z.output<typeof widgetConfigQuerySchema>) {
    // The key matches /^pk_[A-Za-z0-9_-]{24}$/: nothing in it can break out of the attribute.
    return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tenantbot widget demo</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>tenantbot widget demo</h1>
<p>The chat button is in the corner of this page.</p>
<script src="/widget/embed.js" data-key="${query.key}" async></script>
</body>
</html>
`;
  }

  private loadBundle(): Promise<string> {
    this.bundle ??= readFile(BUNDLE_PATH, 'utf8').catch(() => {
      this.bundle = undefined;
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'the widget is not built: run node scripts/build.mjs',
      );
    });
    return this.bundle;
  }
}
