import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  type DocumentView,
  type PlatformCaller,
  platformDocumentsQuerySchema,
  type TenantId,
  textSourceSchema,
} from '@tenantbot/contracts';

import { DocumentsService } from '../../src/documents/documents.service';
import { PlatformDocumentsService } from '../../src/platform/platform-documents.service';
import { callerOf, RagInProcess } from './support/rag-in-process';

const superAdmin = (tenantId?: TenantId): PlatformCaller => ({
  requestId: randomUUID(),
  role: 'super_admin',
  userId: randomUUID(),
  tenantId,
});

describe("the super admin's documents of every company, in process", () => {
  let rag: RagInProcess;
  let documents: DocumentsService;
  let platform: PlatformDocumentsService;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let returns: DocumentView;
  let percent: DocumentView;
  let rival: DocumentView;

  /** Parsed as the handler's @ValidPayload parses it. */
  const list = (query: Record<string, unknown>, caller: PlatformCaller = superAdmin()) =>
    platform.list(caller, platformDocumentsQuerySchema.parse(query));
  const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

  beforeAll(async () => {
    rag = await RagInProcess.start();
    documents = rag.module.get(DocumentsService);
    platform = rag.module.get(PlatformDocumentsService);
    [tenantA, tenantB] = [await rag.createTenant(), await rag.createTenant()];
    const create = async (tenant: TenantId, title: string) => {
      const created = await documents.create(
        callerOf(tenant),
        textSourceSchema.parse({ title, text: `${title}.` }),
      );
      // Ingested first, so that nothing changes a row under the tests.
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        if ((await documents.get(callerOf(tenant), created.id)).status === 'completed') {
          return created;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${title} was not ingested`);
    };
    returns = await create(tenantA, 'Returns policy');
    percent = await create(tenantA, '100% cotton care');
    rival = await create(tenantB, 'Rival vault notes');
    // One of them failed, as an ingestion would leave it.
    await rag.owner.query(
      `UPDATE documents SET status = 'failed', error_code = 'NO_TEXT_FOUND', error = 'empty'
        WHERE id = $1`,
      [rival.id],
    );
  });

  afterAll(() => rag?.stop());

  it('lists the documents of every company, newest first, each with its tenant', async () => {
    const page = await list({});
    expect(page.total).toBe(3);
    expect(ids(page)).toEqual([rival.id, percent.id, returns.id]);
    expect(page.items.map((item) => item.tenant_id)).toEqual([tenantB, tenantA, tenantA]);
    expect(page.items[0]).toMatchObject({
      title: 'Rival vault notes',
      source: 'text',
      status: 'failed',
      error: { code: 'NO_TEXT_FOUND', message: 'empty' },
    });
  });

  it('filters by company, status, kind and name, and pages with a total', async () => {
    expect(ids(await list({ tenant_id: tenantB }))).toEqual([rival.id]);
    expect(ids(await list({ status: 'failed' }))).toEqual([rival.id]);
    expect((await list({ kind: 'text' })).total).toBe(3);
    expect((await list({ kind: 'pdf' })).total).toBe(0);
    expect(ids(await list({ q: 'RETURNS' }))).toEqual([returns.id]);
    // A % in the search is a character, not a wildcard.
    expect(ids(await list({ q: '100%' }))).toEqual([percent.id]);
    expect((await list({ q: '%' })).total).toBe(1);
    const second = await list({ limit: 1, offset: 1 });
    expect([second.total, second.limit, second.offset, ids(second)]).toEqual([
      3,
      1,
      1,
      [percent.id],
    ]);
  });

  it('answers a super admin with a tenant in context all the same', async () => {
    expect((await list({}, superAdmin(tenantA))).total).toBe(3);
  });

  it('refuses every other role before reading, and a tenant list still sees only its own', async () => {
    for (const role of ['tenant_admin', 'agent', 'user', 'readonly'] as const) {
      await expect(list({}, { ...callerOf(tenantA), role })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    await expect(list({}, { requestId: randomUUID(), role: 'visitor' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const own = await documents.list(callerOf(tenantB), { limit: 20, offset: 0 });
    expect(own.items.map((item) => item.id)).toEqual([rival.id]);
  });
});
