import { PassThrough } from 'node:stream';

import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { z } from 'zod';

import {
  type ExportedConversation,
  exportedConversationSchema,
  type ExportQuery,
  exportQuerySchema,
  FEEDBACK,
  ZodPipe,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

import { Roles } from '../auth/decorators';
import { ApiReply } from '../openapi/api-contract';
import { CONVERSATION_CSV_COLUMNS, conversationCsvRows, csvHeader } from './csv';

/** Each page of the export may take this long to arrive. */
const PAGE_TIMEOUT_MS = 30_000;

@ApiTags('admin')
@Roles('tenant_admin', 'super_admin')
@Controller('api/v1/admin/export')
export class ExportsController {
  constructor(private readonly transport: RedisStreamsClient) {}

  @Get('conversations')
  @ApiOperation({
    summary: "Export the tenant's conversations with messages, sources and feedback",
    description:
      'Conversations created in [from, to) (default: the last 30 days), oldest first, streamed. ' +
      '`format=jsonl` (default): one conversation a line, its messages inside. `format=csv`: one row a ' +
      'message (sources as JSON), with the columns ' +
      CONVERSATION_CSV_COLUMNS.join(', ') +
      '.',
  })
  @ApiReply(exportedConversationSchema, {
    mediaTypes: ['application/x-ndjson'],
    description: '`format=jsonl` (default): one conversation a line',
  })
  @ApiReply(z.string(), {
    mediaTypes: ['text/csv'],
    description: '`format=csv`: a header line, then one row a message',
  })
  async conversations(
    @Query(new ZodPipe(exportQuerySchema)) query: ExportQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { format, ...period } = query;
    const pages = this.transport.call(FEEDBACK.EXPORT_CONVERSATIONS, period, {
      timeoutMs: PAGE_TIMEOUT_MS,
    });
    const body = await streamPages(
      pages,
      format === 'csv' ? csvHeader(CONVERSATION_CSV_COLUMNS) : '',
      (conversations) =>
        format === 'csv'
          ? conversationCsvRows(conversations)
          : conversations.map((conversation) => `${JSON.stringify(conversation)}\n`).join(''),
    );
    const stamp = new Date().toISOString().slice(0, 10);
    await reply
      .header(
        'content-type',
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      )
      .header('content-disposition', `attachment; filename="conversations-${stamp}.${format}"`)
      .send(body);
  }
}

/**
 * The pages as a stream of text. It waits for the first page (or the end) before answering, so
 * a refusal (a role, a bad period) is still a JSON error with its status; a failure after that
 * ends the stream early. A client that goes away unsubscribes, which stops the export.
 */
function streamPages(
  pages: Observable<{ conversations: ExportedConversation[] }>,
  preamble: string,
  render: (conversations: ExportedConversation[]) => string,
): Promise<PassThrough> {
  const body = new PassThrough();
  if (preamble) {
    body.write(preamble);
  }
  return new Promise((resolve, reject) => {
    let started = false;
    const start = () => {
      if (!started) {
        started = true;
        resolve(body);
      }
    };
    const subscription = pages.subscribe({
      next: (page) => {
        body.write(render(page.conversations));
        start();
      },
      error: (error: unknown) => {
        if (started) {
          body.destroy(error instanceof Error ? error : new Error(String(error)));
        } else {
          reject(error);
        }
      },
      complete: () => {
        body.end();
        start();
      },
    });
    body.on('close', () => subscription.unsubscribe());
  });
}
