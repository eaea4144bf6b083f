import { describe, expect, it, jest } from '@jest/globals';

import {
  type PlatformCaller,
  platformDocumentsQuerySchema,
  tenantIdOf,
} from '@tenantbot/contracts';
import type { AcrossTenants, PlatformScope } from '@tenantbot/database';

import type { DocumentRow } from '../documents/documents.repository';
import type { PlatformDocumentsRepository } from './platform-documents.repository';
import { PlatformDocumentsService } from './platform-documents.service';

const TENANT = tenantIdOf('3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a');
const PLATFORM = { platform: true } as unknown as PlatformScope;
const CREATED = new Date('2026-12-01T10:00:00Z');

const row = {
  id: '00000000-0000-4000-8000-000000000001',
  tenant_id: TENANT,
  source: 'file',
  type: 'pdf',
  filename: 'handbook.pdf',
  title: null,
  url: null,
  status: 'failed',
  error_code: 'NO_TEXT_FOUND',
  error: 'no text layer',
  chunk_count: 0,
  bytes: '2048',
  created_at: CREATED,
  updated_at: CREATED,
  processed_at: null,
} as unknown as DocumentRow;

function platformDocuments() {
  const list = jest.fn(async (_scope: AcrossTenants, _query: unknown) => ({
    rows: [row],
    total: 7,
  }));
  const repository = { list } as unknown as PlatformDocumentsRepository;
  return { service: new PlatformDocumentsService(repository, PLATFORM), list };
}

const caller = (role: PlatformCaller['role']): PlatformCaller => ({
  requestId: 'req-1',
  role,
  tenantId: role === 'super_admin' ? undefined : TENANT,
  userId: 'user-1',
});

describe('PlatformDocumentsService', () => {
  const query = platformDocumentsQuerySchema.parse({ limit: '1', offset: '3' });

  it('reads every tenant through the platform scope, each row with its tenant', async () => {
    const { service, list } = platformDocuments();
    await expect(service.list(caller('super_admin'), query)).resolves.toEqual({
      items: [
        {
          id: row.id,
          tenant_id: TENANT,
          source: 'file',
          type: 'pdf',
          filename: 'handbook.pdf',
          title: null,
          url: null,
          status: 'failed',
          error: { code: 'NO_TEXT_FOUND', message: 'no text layer' },
          chunk_count: 0,
          bytes: 2048,
          created_at: CREATED.toISOString(),
          updated_at: CREATED.toISOString(),
          processed_at: null,
        },
      ],
      total: 7,
      limit: 1,
      offset: 3,
    });
    expect(list).toHaveBeenCalledWith(PLATFORM, query);
  });

  it('refuses every other role before reading anything', async () => {
    for (const role of ['tenant_admin', 'agent', 'user', 'readonly', 'visitor'] as const) {
      const { service, list } = platformDocuments();
      await expect(service.list(caller(role), query)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(list).not.toHaveBeenCalled();
    }
  });
});
