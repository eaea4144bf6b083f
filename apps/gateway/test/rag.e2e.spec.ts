import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';

import { createDataSource } from '@tenantbot/database';
import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const MAX_DOCUMENT_BYTES = 60_000;
const PNG_MAGIC = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

describe('knowledge base over HTTP (e2e)', () => {
  let stack: TestStack;
  let filesDir: string;
  let owner: DataSource;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    filesDir = mkdtempSync(join(tmpdir(), 'tenantbot-files-'));
    stack = await TestStack.start({
      services: ['tenants', 'rag'],
      env: {
        FILES_DIR: filesDir,
        MAX_DOCUMENT_BYTES: String(MAX_DOCUMENT_BYTES),
        INGESTION_REQUESTS_PER_MINUTE: '25',
      },
    });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [a, b] = await Promise.all([
      createTenantWithUsers(superAdmin, 'kb-a'),
      createTenantWithUsers(superAdmin, 'kb-b'),
    ]);
    owner = await createDataSource({
      url: stack.env.DATABASE_URL,
      poolSize: 1,
    }).initialize();
  });

  afterAll(async () => {
    await owner?.destroy();
    await stack?.stop();
    rmSync(filesDir, { recursive: true, force: true });
  });

  async function upload(
    client: ApiClient,
    filename: string,
    content: Buffer | string,
    type = 'text/plain',
  ) {
    const form = new FormData();
    const bytes = typeof content === 'string' ? content : new Uint8Array(content);
    form.append('file', new Blob([bytes], { type }), filename);
    const response = await fetch(`${stack.baseUrl}/api/v1/rag/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function settled(client: ApiClient, id: string) {
    for (let attempt = 0; attempt < 150; attempt++) {
      const document = await client.get(`/api/v1/rag/documents/${id}`);
      if (['completed', 'failed'].includes(document.body.status)) {
        return document.body;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`document ${id} did not settle`);
  }

  const storedFiles = (tenantId: string) =>
    existsSync(join(filesDir, tenantId)) ? readdirSync(join(filesDir, tenantId)) : [];

  it('ingests an uploaded Markdown file: 202 pending, then completed, searchable with its source', async () => {
    const markdown =
      '# Warranty\n\nEvery toaster carries a warranty of three years.\n\n# Care\n\nClean the crumb tray weekly.';
    const created = await upload(a.as.tenant_admin, 'manual.md', markdown, 'text/markdown');

    expect(created).toMatchObject({
      status: 202,
      body: { status: 'pending', filename: 'manual.md' },
    });
    const document = await settled(a.as.tenant_admin, String(created.body.id));
    expect(document).toMatchObject({
      status: 'completed',
      type: 'md',
      chunk_count: expect.any(Number),
      bytes: Buffer.byteLength(markdown),
    });
    expect(storedFiles(a.id)).toEqual([created.body.id]);

    const search = await a.as.user.post('/api/v1/rag/search', {
      query: 'toaster warranty years',
      top_k: 3,
    });
    expect(search.status).toBe(200);
    expect(search.body.results[0]).toMatchObject({
      document_id: created.body.id,
      filename: 'manual.md',
    });
    expect(search.body.results[0].text).toMatch(/three years/);
  });

  it('takes text as JSON, lists with filters and pages, and reprocesses into a new version', async () => {
    const created = await a.as.tenant_admin.post('/api/v1/rag/documents', {
      title: 'Opening hours',
      text: 'We open at nine.',
    });
    expect(created.status).toBe(202);
    await settled(a.as.tenant_admin, created.body.id);

    const completed = await a.as.agent.get('/api/v1/rag/documents?status=completed&limit=1');
    expect(completed.body).toMatchObject({ limit: 1, total: expect.any(Number) });
    expect(completed.body.items).toHaveLength(1);
    expect(completed.body.total).toBeGreaterThanOrEqual(2);
    const markdownOnly = await a.as.agent.get('/api/v1/rag/documents?type=md');
    expect(markdownOnly.body.items.every((d: { type: string }) => d.type === 'md')).toBe(true);

    const again = await a.as.tenant_admin.post(
      `/api/v1/rag/documents/${created.body.id}/reprocess`,
    );
    expect(again).toMatchObject({
      status: 202,
      body: { status: 'pending', version: created.body.version + 1 },
    });
    expect(await settled(a.as.tenant_admin, created.body.id)).toMatchObject({
      status: 'completed',
    });
  });

  it('refuses a file that is not what it claims (415) and stores nothing', async () => {
    const before = storedFiles(a.id).length;
    const response = await upload(
      a.as.tenant_admin,
      'notes.txt',
      Buffer.concat([PNG_MAGIC, Buffer.alloc(2000)]),
    );

    expect(response).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_DOCUMENT_TYPE' } });
    expect(storedFiles(a.id)).toHaveLength(before);
  });

  it('refuses a file over the limit while streaming (413) and leaves no file or row behind', async () => {
    const before = storedFiles(a.id).length;
    const [{ count }] = (await owner.query(
      `SELECT count(*)::int AS count FROM documents WHERE tenant_id = $1`,
      [a.id],
    )) as {
      count: number;
    }[];
    const response = await upload(
      a.as.tenant_admin,
      'huge.txt',
      'lorem ipsum '.repeat(MAX_DOCUMENT_BYTES / 6),
    );

    expect(response).toMatchObject({ status: 413, body: { code: 'DOCUMENT_TOO_LARGE' } });
    expect(storedFiles(a.id)).toHaveLength(before);
    expect(
      await owner.query(`SELECT count(*)::int AS count FROM documents WHERE tenant_id = $1`, [
        a.id,
      ]),
    ).toEqual([{ count }]);
  });

  it('deletes a document with its stored file, chunks and vectors', async () => {
    const created = await upload(
      a.as.tenant_admin,
      'recall.txt',
      'The blue kettle model K-9 is recalled for a faulty lid.',
    );
    await settled(a.as.tenant_admin, String(created.body.id));
    const hit = await a.as.user.post('/api/v1/rag/search', { query: 'kettle recalled faulty lid' });
    expect(hit.body.results[0].document_id).toBe(created.body.id);

    expect(
      (await a.as.tenant_admin.delete(`/api/v1/rag/documents/${created.body.id}`)).status,
    ).toBe(204);

    expect((await a.as.tenant_admin.get(`/api/v1/rag/documents/${created.body.id}`)).status).toBe(
      404,
    );
    expect(storedFiles(a.id)).not.toContain(created.body.id);
    expect(
      await owner.query(`SELECT 1 FROM chunks WHERE document_id = $1`, [created.body.id]),
    ).toEqual([]);
    const after = await a.as.user.post('/api/v1/rag/search', {
      query: 'kettle recalled faulty lid',
    });
    expect(after.body.results.map((r: { document_id: string }) => r.document_id)).not.toContain(
      created.body.id,
    );
  });

  it('never lets tenant B list, read, search, delete or reprocess tenant A’s documents', async () => {
    const listed = await a.as.agent.get('/api/v1/rag/documents?limit=100');
    const target = listed.body.items[0].id as string;
    const before = await owner.query(`SELECT * FROM documents WHERE id = $1`, [target]);

    const bList = await b.as.tenant_admin.get('/api/v1/rag/documents?limit=100');
    const responses = [
      await b.as.tenant_admin.get(`/api/v1/rag/documents/${target}`),
      await b.as.tenant_admin.delete(`/api/v1/rag/documents/${target}`),
      await b.as.tenant_admin.post(`/api/v1/rag/documents/${target}/reprocess`),
    ];
    const bSearch = await b.as.user.post('/api/v1/rag/search', { query: 'toaster warranty years' });
    const bSearchByIds = await b.as.user.post('/api/v1/rag/search', {
      query: 'toaster',
      document_ids: [target],
    });

    expect(bList.body.items.map((d: { id: string }) => d.id)).not.toContain(target);
    expect(responses.map((r) => [r.status, r.body.code])).toEqual(
      Array(3).fill([404, 'DOCUMENT_NOT_FOUND']),
    );
    expect(bSearch.body.results).toEqual([]);
    expect(bSearchByIds.body.results).toEqual([]);
    expect(await owner.query(`SELECT * FROM documents WHERE id = $1`, [target])).toEqual(before);
  });

  it('holds ingestion to its own stricter limit, leaving reads alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 26 && !statuses.includes(429); i++) {
      statuses.push(
        (await b.as.tenant_admin.post('/api/v1/rag/documents', { bad: 'body' })).status,
      );
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 400).length).toBeLessThanOrEqual(25);
    expect((await b.as.tenant_admin.get('/api/v1/rag/documents')).status).toBe(200);
  });
});
