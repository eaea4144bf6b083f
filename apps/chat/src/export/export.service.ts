import { Injectable } from '@nestjs/common';

import {
  type Caller,
  DomainError,
  ErrorCode,
  type ExportedConversation,
} from '@tenantbot/contracts';

import { usagePeriod } from '../usage/usage-period';
import { type ExportCursor, ExportRepository } from './export.repository';

const PAGE_SIZE = 100;

/**
 * The conversation export of tenant admins: the tenant's conversations created in the period
 * (default: the last 30 days), oldest first, with every message, its sources and its feedback.
 * Read a page at a time, so an export of any size holds one page in memory.
 */
@Injectable()
export class ExportService {
  constructor(private readonly exports: ExportRepository) {}

  async *conversations(
    caller: Caller,
    query: { from?: string; to?: string },
    signal?: AbortSignal,
    now = new Date(),
  ): AsyncGenerator<ExportedConversation[]> {
    if (caller.role !== 'tenant_admin' && caller.role !== 'super_admin') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'only tenant admins export conversations');
    }
    const period = usagePeriod(query, now);
    let after: ExportCursor | undefined;
    while (!signal?.aborted) {
      const page = await this.exports.page(caller.tenantId, period, after, PAGE_SIZE);
      if (page.length > 0) {
        yield page;
      }
      if (page.length < PAGE_SIZE) {
        return;
      }
      const last = page[page.length - 1];
      after = { createdAt: new Date(last.created_at), id: last.id };
    }
  }
}
