import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type DocumentView, ErrorCode, RAG } from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';

import { docx, pdf } from './support/document-fixtures';
import { expectCode, RagHarness, tenantAdminContext } from './support/rag-harness';

const HANDBOOK = [
  '# Employee handbook',
  '',
  '## Refunds',
  'Customers may return goods within 30 days. Refunds are paid to the original card within 14 days.',
  '',
  '## Holidays',
  'Every employee has 25 days of paid holiday per year, plus public holidays.',
].join('\n');

describe('rag documents over the transport', () => {
  let rag: RagHarness;
  let tenant: string;

  beforeAll(async () => {
    // The vector path's guarantees (stale and foreign vector ids never surface) are tested
    // with the local embedder's ranking in the fusion, which is off by default.
    rag = await RagHarness.start({ SEARCH_LOCAL_VECTOR_WEIGHT: '1' });
    tenant = await rag.createTenant('Acme');
  });

  afterAll(async () => {
    await rag.stop();
  });

  /** Puts a file where the gateway would, then creates the document from it. */
  async function upload(filename: string, content: Buffer, tenantId = tenant) {
    const id = randomUUID();
    await mkdir(join(rag.filesDir, tenantId), { recursive: true });
    await writeFile(join(rag.filesDir, tenantId, id), content);
    return rag.call(tenantId, RAG.DOCUMENTS_CREATE, {
      document_id: id,
      storage_key: `${tenantId}/${id}`,
      filename,
      content_type: 'application/octet-stream',
      bytes: content.length,
    });
  }

  it('refuses messages without a tenant in their context', async () => {
    await expectCode(rag.call(undefined, RAG.DOCUMENTS_LIST, {}), ErrorCode.TENANT_REQUIRED);
    await expectCode(
      rag.call(undefined, RAG.DOCUMENTS_CREATE, { title: 't', text: 'x' }),
      ErrorCode.TENANT_REQUIRED,
    );
    await expectCode(rag.call(undefined, RAG.SEARCH, { query: 'x' }), ErrorCode.TENANT_REQUIRED);
  });

  it('validates every payload against its schema', async () => {
    await expectCode(
      rag.callUnchecked(tenant, RAG.DOCUMENTS_CREATE, { title: 't', text: 'x', tenant_id: tenant }),
      ErrorCode.VALIDATION_FAILED,
    );
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_CREATE, {
        title: 't',
        text: 'x',
        settings: { chunk_size: 200, chunk_overlap: 200 },
      }),
      ErrorCode.VALIDATION_FAILED,
    );
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_GET, { id: 'nope' }),
      ErrorCode.VALIDATION_FAILED,
    );
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_CREATE, { url: 'ftp://example.com/file' }),
      ErrorCode.URL_NOT_ALLOWED,
    );
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_CREATE, {
        title: 't',
        text: 'x',
        settings: { embedding_provider: 'openai' },
      }),
      ErrorCode.FEATURE_DISABLED,
    );
    // Without EMBEDDING_MODEL the service runs no sentence model.
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_CREATE, {
        title: 't',
        text: 'x',
        settings: { embedding_provider: 'transformers' },
      }),
      ErrorCode.FEATURE_DISABLED,
    );
  });

  it('answers pending at once, then ingests pasted text into Postgres and Chroma alike', async () => {
    const created = await rag.call(tenant, RAG.DOCUMENTS_CREATE, {
      title: 'Handbook',
      text: HANDBOOK,
      settings: { chunk_size: 120, chunk_overlap: 20 },
    });
    expect(created).toMatchObject({
      source: 'text',
      status: 'pending',
      version: 1,
      title: 'Handbook',
    });

    const done = await rag.settled(tenant, created.id);
    expect(done).toMatchObject({ status: 'completed', type: 'md', error: null });
    expect(done.chunk_count).toBeGreaterThan(2);
    const rows = await rag.chunkRows(created.id);
    expect(rows).toHaveLength(done.chunk_count);
    expect(await rag.vectorIds(tenant, created.id)).toEqual(rows.map((row) => row.id).sort());
    const { rows: headings } = await rag.owner.query<{ heading_path: string[] }>(
      `SELECT heading_path FROM chunks WHERE document_id = $1 ORDER BY chunk_index`,
      [created.id],
    );
    expect(headings.map((row) => row.heading_path)).toContainEqual([
      'Employee handbook',
      'Holidays',
    ]);
  });

  it('creates a document once when the same request is delivered again (a replica died before replying)', async () => {
    const requestId = randomUUID();
    const deliver = (text: string) =>
      runWithContext(tenantAdminContext(tenant, requestId), () =>
        rag.client.request(
          RAG.DOCUMENTS_CREATE,
          { title: 'Redelivered', text },
          { timeoutMs: 8000 },
        ),
      );
    const first = await deliver('Parcels ship within two days.');
    const again = await deliver('Parcels ship within two days.');
    expect(again.id).toBe(first.id);
    const { rows } = await rag.owner.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM documents WHERE tenant_id = $1 AND title = 'Redelivered'`,
      [tenant],
    );
    expect(rows[0].count).toBe(1);
    // Another request, or the same request id asking for something else, is another document.
    const other = await deliver('Parcels ship within three days.');
    expect(other.id).not.toBe(first.id);
    // Another request with the same text is a duplicate of it, unless forced.
    const duplicate = await rag.call(tenant, RAG.DOCUMENTS_CREATE, {
      title: 'Redelivered',
      text: 'Parcels ship within two days.',
    });
    expect(duplicate).toMatchObject({ id: first.id, duplicate_of: first.id });
    const elsewhere = await rag.call(tenant, RAG.DOCUMENTS_CREATE, {
      title: 'Redelivered',
      text: 'Parcels ship within two days.',
      force: true,
    });
    expect(elsewhere.id).not.toBe(first.id);
  });

  it('reads PDF pages with their numbers, DOCX headings, CSV rows, HTML main content', async () => {
    const [pdfDoc, docxDoc, csvDoc, htmlDoc] = await Promise.all([
      upload(
        'policy.pdf',
        pdf(['Shipping takes 3 days.\nExpress takes 1 day.', 'Warranty lasts 2 years.']),
      ),
      upload(
        'memo.docx',
        docx([
          ['Heading1', 'Security'],
          [null, 'Rotate passwords every 90 days.'],
        ]),
      ),
      upload('prices.csv', Buffer.from('product,price\nwidget,10 EUR\ngadget,25 EUR\n')),
      upload(
        'page.html',
        Buffer.from(
          '<!doctype html><html><head><title>Opening hours</title></head><body><nav>Home | Shop | Cart</nav>' +
            '<article><h1>Opening hours</h1><p>The shop opens at 9 and closes at 18 on weekdays.</p></article>' +
            '<footer>Copyright</footer></body></html>',
        ),
      ),
    ]);
    const settled = await Promise.all(
      [pdfDoc, docxDoc, csvDoc, htmlDoc].map((doc) => rag.settled(tenant, doc.id)),
    );
    expect(settled.map((doc) => [doc.type, doc.status])).toEqual([
      ['pdf', 'completed'],
      ['docx', 'completed'],
      ['csv', 'completed'],
      ['html', 'completed'],
    ]);
    expect(settled[0].pages).toBe(2);

    const text = async (id: string) =>
      (
        await rag.owner.query<{ text: string; page: number | null; heading_path: string[] }>(
          `SELECT text, page, heading_path FROM chunks WHERE document_id = $1 ORDER BY chunk_index`,
          [id],
        )
      ).rows;
    expect(await text(pdfDoc.id)).toEqual([
      expect.objectContaining({ page: 1, text: expect.stringContaining('Express takes 1 day.') }),
      expect.objectContaining({ page: 2, text: 'Warranty lasts 2 years.' }),
    ]);
    expect(await text(docxDoc.id)).toEqual([
      expect.objectContaining({
        heading_path: ['Security'],
        text: '# Security\n\nRotate passwords every 90 days.',
      }),
    ]);
    expect((await text(csvDoc.id))[0].text).toBe(
      'product: widget; price: 10 EUR\nproduct: gadget; price: 25 EUR',
    );
    const html = (await text(htmlDoc.id)).map((row) => row.text).join('\n');
    expect(html).toContain('closes at 18');
    expect(html).not.toContain('Home | Shop');
    expect(html).not.toContain('Copyright');
  });

  it('fails a scanned PDF, saying it has no text layer and OCR is not supported', async () => {
    const scanned = await upload('scan.pdf', pdf([{ image: true }, { image: true }]));
    const done = await rag.settled(tenant, scanned.id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('NO_TEXT_FOUND');
    expect(done.error?.message).toMatch(/no text layer.*scanned.*OCR is not supported/);
    expect(await rag.chunkRows(scanned.id)).toEqual([]);
  });

  it('decides the type by content: a name that lies, or an unknown format, fails the document', async () => {
    const lying = await upload('notes.txt', pdf(['I am a PDF']));
    const image = await upload('photo', Buffer.from('89504e470d0a1a0a0000000d4948445200', 'hex'));
    for (const doc of [lying, image]) {
      const done = await rag.settled(tenant, doc.id);
      expect(done.status).toBe('failed');
      expect(done.error?.code).toBe(ErrorCode.UNSUPPORTED_DOCUMENT_TYPE);
    }
  });

  it('answers a retried create with the same document and ingests it once', async () => {
    const id = randomUUID();
    await mkdir(join(rag.filesDir, tenant), { recursive: true });
    await writeFile(join(rag.filesDir, tenant, id), HANDBOOK);
    const request = { document_id: id, storage_key: `${tenant}/${id}`, filename: 'h.md', bytes: 1 };
    const first = await rag.call(tenant, RAG.DOCUMENTS_CREATE, request);
    const done = await rag.settled(tenant, id);
    const again = await rag.call(tenant, RAG.DOCUMENTS_CREATE, request);
    expect(again).toMatchObject({ id: first.id, version: 1, status: 'completed' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rag.settled(tenant, id)).toMatchObject({ processed_at: done.processed_at });
  });

  it('accepts a file only under its own tenant/document key and within the size limit', async () => {
    const id = randomUUID();
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_CREATE, {
        document_id: id,
        storage_key: `${randomUUID()}/${id}`,
        filename: 'a.txt',
        bytes: 10,
      }),
      ErrorCode.VALIDATION_FAILED,
    );
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_CREATE, {
        document_id: id,
        storage_key: `${tenant}/${id}`,
        filename: 'a.txt',
        bytes: 26 * 1024 * 1024,
      }),
      ErrorCode.DOCUMENT_TOO_LARGE,
    );
  });

  it('searches hybrid: words and meaning, with citations, within chosen documents', async () => {
    const other = await rag.createTenant('Search');
    const faq = await rag.call(other, RAG.DOCUMENTS_CREATE, {
      title: 'FAQ',
      text: HANDBOOK,
      settings: { chunk_size: 150, chunk_overlap: 0 },
    });
    const notes = await rag.call(other, RAG.DOCUMENTS_CREATE, {
      title: 'Team notes',
      text: 'The coffee machine on floor 2 is broken. Holiday party is in December.',
    });
    await Promise.all([rag.settled(other, faq.id), rag.settled(other, notes.id)]);

    const { results } = await rag.call(other, RAG.SEARCH, {
      query: 'how many days to get my refund?',
    });
    expect(results[0]).toMatchObject({ document_id: faq.id, filename: 'FAQ', page: null });
    expect(results[0].text).toContain('Refunds are paid');
    expect(results[0].heading_path).toEqual(['Employee handbook', 'Refunds']);
    expect(results[0].score).toBeGreaterThan(0);
    expect(results.map((r) => r.score)).toEqual(
      [...results.map((r) => r.score)].sort((a, b) => b - a),
    );

    const onlyNotes = await rag.call(other, RAG.RETRIEVE, {
      query: 'holiday',
      top_k: 1,
      document_ids: [notes.id],
    });
    expect(onlyNotes.results).toHaveLength(1);
    expect(onlyNotes.results[0].document_id).toBe(notes.id);

    // The full-text query goes to Postgres as a literal: quotes, backslashes and SQL are words.
    const hostile = await rag.call(other, RAG.SEARCH, {
      query: String.raw`refunds "are paid" \' '); DROP TABLE chunks; -- $$`,
      top_k: 1,
    });
    expect(hostile.results[0].text).toContain('Refunds are paid');
    await expectCode(
      rag.call(other, RAG.SEARCH, { query: 'refund\0; DROP TABLE chunks' }),
      ErrorCode.INVALID_REQUEST,
    );
  });

  it('passes over vectors whose chunk is gone and still answers top_k chunks', async () => {
    const stale = await rag.createTenant('Stale vectors');
    const handbook = await rag.call(stale, RAG.DOCUMENTS_CREATE, {
      title: 'Handbook',
      text: HANDBOOK,
      settings: { chunk_size: 100, chunk_overlap: 0 },
    });
    await rag.settled(stale, handbook.id);
    // Vectors equal to the query's own rank first, but have no chunk row (as after a crash
    // between a Chroma write and the Postgres commit).
    const query = 'parking spaces for visitors';
    const orphans = [randomUUID(), randomUUID(), randomUUID()];
    await rag.plantVectors(stale, orphans, query);

    const { results } = await rag.call(stale, RAG.SEARCH, { query, top_k: 2 });
    expect(results).toHaveLength(2);
    expect(results.every((result) => result.document_id === handbook.id)).toBe(true);
    for (const orphan of orphans) {
      expect(results.map((result) => result.chunk_id)).not.toContain(orphan);
    }
  });

  it('finds nothing, without error, for a tenant that has no documents yet', async () => {
    const empty = await rag.createTenant('Empty');
    const { results } = await rag.call(empty, RAG.RETRIEVE, { query: 'anything' });
    expect(results).toEqual([]);
  });

  it('lists with filters by status, type and source, paginated with the total', async () => {
    const lister = await rag.createTenant('Lister');
    const created: DocumentView[] = [];
    for (let i = 0; i < 3; i++) {
      created.push(
        await rag.call(lister, RAG.DOCUMENTS_CREATE, {
          title: `Doc ${i}`,
          text: `Plain text ${i}.`,
        }),
      );
    }
    const broken = await upload('bad.pdf', Buffer.from('not a pdf at all'), lister);
    await Promise.all([...created, broken].map((doc) => rag.settled(lister, doc.id)));

    const page = await rag.call(lister, RAG.DOCUMENTS_LIST, { limit: 2, offset: 0 });
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 0 });
    expect(page.items.map((doc) => doc.id)).toEqual([broken.id, created[2].id]);
    const rest = await rag.call(lister, RAG.DOCUMENTS_LIST, { limit: 2, offset: 2 });
    expect(rest.items.map((doc) => doc.id)).toEqual([created[1].id, created[0].id]);

    const failed = await rag.call(lister, RAG.DOCUMENTS_LIST, { status: 'failed' });
    expect(failed.items.map((doc) => doc.id)).toEqual([broken.id]);
    const texts = await rag.call(lister, RAG.DOCUMENTS_LIST, {
      type: 'txt',
      source: 'text',
    });
    expect(texts.total).toBe(3);
    const files = await rag.call(lister, RAG.DOCUMENTS_LIST, { source: 'file' });
    expect(files.total).toBe(1);
  });

  it('reprocesses into the next version, replacing chunks and vectors exactly', async () => {
    const doc = await rag.call(tenant, RAG.DOCUMENTS_CREATE, {
      title: 'Versions',
      text: HANDBOOK,
      settings: { chunk_size: 100, chunk_overlap: 0 },
    });
    const first = await rag.settled(tenant, doc.id);
    const again = await rag.call(tenant, RAG.DOCUMENTS_REPROCESS, {
      id: doc.id,
      settings: { chunk_size: 1000, chunk_overlap: 0 },
    });
    expect(again).toMatchObject({ version: 2, status: 'pending' });
    const second = await rag.settled(tenant, doc.id);
    expect(second).toMatchObject({ version: 2, status: 'completed' });
    expect(second.chunk_count).toBeLessThan(first.chunk_count);
    const rows = await rag.chunkRows(doc.id);
    expect(rows.every((row) => row.version === 2)).toBe(true);
    expect(rows).toHaveLength(second.chunk_count);
    expect(await rag.vectorIds(tenant, doc.id)).toEqual(rows.map((row) => row.id).sort());
  });

  it('deletes the stored file, the chunks and the vectors: nothing is orphaned', async () => {
    const doc = await upload('delete-me.md', Buffer.from(HANDBOOK));
    await rag.settled(tenant, doc.id);
    const file = join(rag.filesDir, tenant, doc.id);
    expect(existsSync(file)).toBe(true);
    expect((await rag.vectorIds(tenant, doc.id)).length).toBeGreaterThan(0);

    const reply = await rag.call(tenant, RAG.DOCUMENTS_DELETE, { id: doc.id });
    expect(reply).toEqual({ id: doc.id, deleted: true });
    expect(existsSync(file)).toBe(false);
    expect(await rag.chunkRows(doc.id)).toEqual([]);
    expect(await rag.vectorIds(tenant, doc.id)).toEqual([]);
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_GET, { id: doc.id }),
      ErrorCode.DOCUMENT_NOT_FOUND,
    );
    await expectCode(
      rag.call(tenant, RAG.DOCUMENTS_DELETE, { id: doc.id }),
      ErrorCode.DOCUMENT_NOT_FOUND,
    );
  });
});
