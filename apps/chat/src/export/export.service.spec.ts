import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, type ExportedConversation, tenantIdOf } from '@tenantbot/contracts';

import type { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

const TENANT = tenantIdOf(randomUUID());
const ADMIN: Caller = { requestId: 'r-1', tenantId: TENANT, role: 'tenant_admin', userId: 'u-1' };

function conversations(count: number, start = 0): ExportedConversation[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    title: `c${start + i}`,
    user_id: 'u-1',
    api_key_id: null,
    visitor_id: null,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, start + i)).toISOString(),
    updated_at: new Date(Date.UTC(2026, 0, 1, 0, start + i)).toISOString(),
    messages: [],
  }));
}

async function drain(pages: AsyncGenerator<ExportedConversation[]>) {
  const sizes: number[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
  }
  return sizes;
}

describe('ExportService', () => {
  it('reads page after page from where the last ended, until a short page', async () => {
    const first = conversations(100);
    const page = jest
      .fn<ExportRepository['page']>()
      .mockResolvedValueOnce(first)
      .mockResolvedValueOnce(conversations(3, 100));
    const service = new ExportService({ page } as unknown as ExportRepository);
    const now = new Date('2026-02-01T00:00:00Z');
    expect(await drain(service.conversations(ADMIN, {}, undefined, now))).toEqual([100, 3]);
    expect(page.mock.calls[0]).toEqual([
      TENANT,
      { from: new Date('2026-01-02T00:00:00Z'), to: now },
      undefined,
      100,
    ]);
    expect(page.mock.calls[1][2]).toEqual({
      createdAt: new Date(first[99].created_at),
      id: first[99].id,
    });
  });

  it('is for tenant admins only, and stops when the caller goes away', async () => {
    const page = jest.fn<ExportRepository['page']>(() => Promise.resolve(conversations(100)));
    const service = new ExportService({ page } as unknown as ExportRepository);
    await expect(
      drain(service.conversations({ ...ADMIN, role: 'agent' }, {})),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const cancel = new AbortController();
    cancel.abort();
    expect(await drain(service.conversations(ADMIN, {}, cancel.signal))).toEqual([]);
    expect(page).not.toHaveBeenCalled();
  });
});
