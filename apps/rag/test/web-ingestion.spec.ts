import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { type DocumentView, ErrorCode, RAG, type RequestOf } from '@tenantbot/contracts';

import { RagHarness } from './support/rag-harness';
import { html, redirect, TestSite, text } from './support/test-sites';

const paragraph = (topic: string) =>
  `<p>${topic} ${'is explained here in enough words to be worth indexing. '.repeat(4)}</p>`;

describe('web ingestion', () => {
  let rag: RagHarness;
  let tenant: string;
  /** A private service the rag service must never reach: not allow-listed, on loopback. */
  let internal: TestSite;
  /** The "public" test site, allow-listed by host:port for this test only. */
  let site: TestSite;

  beforeAll(async () => {
    internal = await TestSite.start(() => ({
      '/': html('<p>internal admin console</p>'),
      '/latest/meta-data/': text(200, 'text/plain', 'secret-credentials'),
    }));
    site = await TestSite.start((origin) => ({
      '/robots.txt': text(
        200,
        'text/plain',
        `User-agent: *\nDisallow: /private\nSitemap: ${origin}/sitemap.xml\n`,
      ),
      '/sitemap.xml': text(
        200,
        'application/xml',
        `<?xml version="1.0"?><urlset><url><loc>${origin}/</loc></url><url><loc>${origin}/pricing</loc></url>` +
          `<url><loc>${origin}/private/plans</loc></url><url><loc>${internal.origin}/</loc></url></urlset>`,
      ),
      '/': html(
        `<h1>Home</h1>${paragraph('Our product')}<a href="/about">About</a> <a href="/private/x">x</a>` +
          ` <a href="${internal.origin}/">admin</a> <a href="/docs/1">Docs</a>`,
        'Welcome',
      ),
      '/about': html(`<h1>About us</h1>${paragraph('The company')}`, 'About'),
      '/pricing': html(`<h1>Pricing</h1>${paragraph('Pricing')}`, 'Pricing'),
      '/docs/1': html(`<h1>Docs one</h1>${paragraph('Setup')}<a href="/docs/2">next</a>`),
      '/docs/2': html(`<h1>Docs two</h1>${paragraph('Usage')}`),
      '/private/x': html('<p>never crawl me</p>'),
      '/private/plans': html('<p>never crawl me either</p>'),
      '/to-internal': redirect(`${internal.origin}/latest/meta-data/`),
      '/to-about': redirect('/about', 301),
      '/loop': redirect('/loop'),
      '/image.png': text(200, 'image/png', Buffer.from('89504e470d0a1a0a', 'hex')),
      '/fake-html': text(200, 'text/html', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')),
      '/huge': text(200, 'text/plain', 'x'.repeat(300 * 1024)),
      '/down': text(404, 'text/html', 'gone'),
      '/latin1': text(
        200,
        'text/plain; charset=iso-8859-1',
        Buffer.from('Caf\xe9 cr\xe8me', 'latin1'),
      ),
    }));
    rag = await RagHarness.start({
      WEB_FETCH_ALLOWED_HOSTS: `127.0.0.1:${site.port}`,
      WEB_FETCH_MAX_BYTES: String(200 * 1024),
      WEB_FETCH_TIMEOUT_MS: '3000',
    });
    tenant = await rag.createTenant('Web');
  });

  afterAll(async () => {
    await rag.stop();
    await Promise.all([site.close(), internal.close()]);
  });

  async function ingest(payload: RequestOf<typeof RAG.DOCUMENTS_CREATE>): Promise<DocumentView> {
    const created = await rag.call(tenant, RAG.DOCUMENTS_CREATE, payload);
    expect(created.status).toBe('pending');
    return rag.settled(tenant, created.id);
  }

  it('ingests one page: its main content, its title, redirects followed', async () => {
    const page = await ingest({ url: `${site.origin}/to-about` });
    expect(page).toMatchObject({
      status: 'completed',
      source: 'url',
      type: 'html',
      title: 'About',
    });
    const { rows } = await rag.owner.query<{ text: string; source_url: string }>(
      `SELECT text, source_url FROM chunks WHERE document_id = $1`,
      [page.id],
    );
    expect(rows[0].text).toContain('The company is explained');
    expect(rows[0].source_url).toBe(`${site.origin}/about`);
  });

  it('crawls one origin from its sitemap and links, within depth, honouring robots.txt', async () => {
    const crawl = await ingest({ url: `${site.origin}/`, crawl: { max_pages: 10, max_depth: 1 } });
    expect(crawl).toMatchObject({ status: 'completed', source: 'crawl' });
    const { rows } = await rag.owner.query<{ source_url: string }>(
      `SELECT DISTINCT source_url FROM chunks WHERE document_id = $1 ORDER BY source_url`,
      [crawl.id],
    );
    // Depth 1 reaches /docs/1 but not /docs/2; /private is disallowed; other origins are skipped.
    expect(rows.map((row) => row.source_url)).toEqual(
      ['/', '/about', '/docs/1', '/pricing'].map((path) => `${site.origin}${path}`),
    );
    expect(crawl.pages).toBe(4);
    expect(site.hits.get('/private/x') ?? 0).toBe(0);
    expect(site.hits.get('/private/plans') ?? 0).toBe(0);
    expect(site.hits.get('/docs/2') ?? 0).toBe(0);
  });

  it('stops a crawl at max_pages', async () => {
    const crawl = await ingest({ url: `${site.origin}/`, crawl: { max_pages: 2, max_depth: 3 } });
    expect(crawl.pages).toBe(2);
  });

  it('never reaches an internal address, directly, by name, mapped or through a redirect', async () => {
    const attempts = [
      internal.origin,
      `http://localhost:${internal.port}/`,
      `http://[::ffff:127.0.0.1]:${internal.port}/`,
      `http://0.0.0.0:${internal.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      `${site.origin}/to-internal`,
    ];
    const documents = await Promise.all(attempts.map((url) => ingest({ url })));
    for (const document of documents) {
      expect(document.status).toBe('failed');
      expect(document.error?.code).toBe(ErrorCode.URL_NOT_ALLOWED);
      expect(document.error?.message).toMatch(/internal address: not fetched/);
    }
    expect(internal.totalHits).toBe(0);
  });

  it('fails with a clear reason: robots.txt, content type, size, redirects, status', async () => {
    const cases: [string, string][] = [
      [`${site.origin}/private/x`, 'ROBOTS_DISALLOWED'],
      [`${site.origin}/image.png`, ErrorCode.UNSUPPORTED_DOCUMENT_TYPE],
      [`${site.origin}/fake-html`, ErrorCode.UNSUPPORTED_DOCUMENT_TYPE],
      [`${site.origin}/huge`, ErrorCode.DOCUMENT_TOO_LARGE],
      [`${site.origin}/loop`, 'FETCH_FAILED'],
      [`${site.origin}/down`, 'FETCH_FAILED'],
    ];
    const documents = await Promise.all(cases.map(([url]) => ingest({ url })));
    expect(documents.map((document) => document.error?.code)).toEqual(
      cases.map(([, code]) => code),
    );
    expect(documents[4].error?.message).toMatch(/redirects more than 5 times/);
    expect(site.hits.get('/private/x') ?? 0).toBe(0);
  });

  it('reads text in the charset the server declares', async () => {
    const page = await ingest({ url: `${site.origin}/latin1` });
    const { rows } = await rag.owner.query<{ text: string }>(
      `SELECT text FROM chunks WHERE document_id = $1`,
      [page.id],
    );
    expect(rows[0].text).toBe('Café crème');
  });
});
