import { Inject, Injectable } from '@nestjs/common';

import type { DocumentType } from '@tenantbot/contracts';
import { decodeText, detectDocumentType } from '@tenantbot/object-storage';

import type { RagConfig } from '../../config/rag-config';
import { RAG_CONFIG } from '../../config/tokens';
import { DocumentFailure } from '../document-failure';
import { RobotsPolicy } from './robots-policy';
import { type FetchedResource, parseWebUrl, SafeWebFetcher } from './safe-web-fetcher';

export interface WebPage {
  url: string;
  type: DocumentType;
  body: Buffer;
}

export interface CrawlLimits {
  maxPages: number;
  maxDepth: number;
  /** All pages together; the crawl stops before exceeding it. */
  maxTotalBytes: number;
}

const MEDIA_TYPES: Record<string, DocumentType> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/csv': 'csv',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
};

const ACCEPT = 'text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1';
const LINK = /<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const LOC = /<loc>\s*([^<\s]+)\s*<\/loc>/gi;
const ASSET =
  /\.(?:png|jpe?g|gif|webp|svg|ico|css|js|mjs|json|xml|zip|gz|tar|mp[34]|mov|avi|woff2?|ttf|eot|exe|dmg)$/i;

/**
 * Web pages for ingestion: one page, or a same-origin crawl that starts from the site's
 * sitemap.xml when there is one and otherwise follows links breadth-first, respecting
 * robots.txt (rules and crawl delay) and the page, depth and byte caps.
 */
@Injectable()
export class WebPageLoader {
  private readonly userAgent: string;

  constructor(
    private readonly fetcher: SafeWebFetcher,
    @Inject(RAG_CONFIG) config: RagConfig,
  ) {
    this.userAgent = config.WEB_USER_AGENT;
  }

  async page(url: string): Promise<WebPage> {
    return this.fetchPage(parseWebUrl(url), new RobotsPolicy(this.fetcher, this.userAgent));
  }

  async crawl(start: string, limits: CrawlLimits): Promise<WebPage[]> {
    const origin = parseWebUrl(start).origin;
    const robots = new RobotsPolicy(this.fetcher, this.userAgent);
    const queue = [{ url: parseWebUrl(start).toString(), depth: 0 }];
    const seen = new Set(queue.map((entry) => entry.url));
    const enqueue = (url: string, depth: number) => {
      if (!seen.has(url) && sameOrigin(url, origin)) {
        seen.add(url);
        queue.push({ url, depth });
      }
    };
    for (const url of await this.sitemapUrls(origin, robots)) {
      enqueue(url, 1);
    }

    const pages: WebPage[] = [];
    let totalBytes = 0;
    let firstFailure: unknown;
    const delayMs = await robots.crawlDelayMs(origin).catch(() => 0);
    for (let next = queue.shift(); next && pages.length < limits.maxPages; next = queue.shift()) {
      if (pages.length > 0 && delayMs > 0) {
        await sleep(delayMs);
      }
      let page: WebPage;
      try {
        page = await this.fetchPage(new URL(next.url), robots);
      } catch (error) {
        firstFailure ??= error;
        continue;
      }
      if (!sameOrigin(page.url, origin)) {
        continue;
      }
      if (totalBytes + page.body.length > limits.maxTotalBytes) {
        break;
      }
      totalBytes += page.body.length;
      pages.push(page);
      if (page.type === 'html' && next.depth < limits.maxDepth) {
        for (const link of linksOf(page)) {
          enqueue(link, next.depth + 1);
        }
      }
    }
    if (pages.length === 0) {
      throw (
        firstFailure ?? new DocumentFailure('FETCH_FAILED', `no page of ${origin} could be fetched`)
      );
    }
    return pages;
  }

  private async fetchPage(url: URL, robots: RobotsPolicy): Promise<WebPage> {
    const response = await this.fetcher.fetch(url.toString(), {
      beforeRequest: (target) => robots.assertAllowed(target),
      accept: ACCEPT,
    });
    if (response.status < 200 || response.status >= 300) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new DocumentFailure(
        'FETCH_FAILED',
        `${response.url} answered HTTP ${response.status}`,
        retryable,
      );
    }
    return { url: response.url, type: await typeOf(response), body: utf8Body(response) };
  }

  /** Same-origin page URLs of sitemap.xml and the sitemaps robots.txt names (one index level). */
  private async sitemapUrls(origin: string, robots: RobotsPolicy): Promise<string[]> {
    const listed = await robots.sitemaps(origin).catch(() => []);
    const sitemaps = [`${origin}/sitemap.xml`, ...listed].filter((url) => sameOrigin(url, origin));
    const urls: string[] = [];
    for (const sitemap of [...new Set(sitemaps)].slice(0, 5)) {
      const xml = await this.fetchXml(sitemap);
      if (/<sitemapindex[\s>]/i.test(xml)) {
        for (const child of locations(xml)
          .filter((url) => sameOrigin(url, origin))
          .slice(0, 5)) {
          urls.push(...locations(await this.fetchXml(child)));
        }
      } else {
        urls.push(...locations(xml));
      }
    }
    return urls.filter((url) => sameOrigin(url, origin));
  }

  private async fetchXml(url: string): Promise<string> {
    try {
      const response = await this.fetcher.fetch(url, { accept: 'application/xml,text/xml' });
      return response.status === 200 ? response.body.toString('utf8') : '';
    } catch {
      return ''; // a sitemap is a hint: without one the crawl follows links
    }
  }
}

/** The page's declared media type, checked against its content. */
async function typeOf(response: FetchedResource): Promise<DocumentType> {
  const mediaType = response.contentType?.split(';')[0].trim().toLowerCase();
  const name = new URL(response.url).pathname.split('/').pop() ?? '';
  if (!mediaType) {
    const sniffed = await detectDocumentType(response.body, name);
    if (sniffed) {
      return sniffed;
    }
    throw new DocumentFailure(
      'UNSUPPORTED_DOCUMENT_TYPE',
      `${response.url} has no supported content`,
    );
  }
  const declared = MEDIA_TYPES[mediaType];
  if (!declared) {
    throw new DocumentFailure(
      'UNSUPPORTED_DOCUMENT_TYPE',
      `${response.url} is ${mediaType}, not a supported document type`,
    );
  }
  // Binary types must carry their magic numbers, text must be text (HTML even without tags).
  const body = utf8Body(response);
  const checked = await detectDocumentType(body, `page.${declared}`);
  const isText = decodeText(body.subarray(0, 64 * 1024)) !== null;
  if (checked !== declared && !(declared === 'html' && isText)) {
    throw new DocumentFailure(
      'UNSUPPORTED_DOCUMENT_TYPE',
      `${response.url} claims ${mediaType} but its content is not`,
    );
  }
  return declared;
}

/** Text in another declared charset is re-encoded as UTF-8. */
function utf8Body(response: FetchedResource): Buffer {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(response.contentType ?? '')?.[1]?.toLowerCase();
  if (!charset || charset === 'utf-8' || charset === 'utf8') {
    return response.body;
  }
  try {
    return Buffer.from(new TextDecoder(charset).decode(response.body), 'utf8');
  } catch {
    return response.body;
  }
}

function linksOf(page: WebPage): string[] {
  const html = page.body.toString('utf8');
  const links: string[] = [];
  for (const match of html.matchAll(LINK)) {
    const href = (match[1] ?? match[2] ?? match[3] ?? '').replace(/&amp;/g, '&').trim();
    if (href === '' || href.startsWith('#') || /^(?:mailto|javascript|tel|data):/i.test(href)) {
      continue;
    }
    try {
      const url = new URL(href, page.url);
      url.hash = '';
      if (!ASSET.test(url.pathname)) {
        links.push(url.toString());
      }
    } catch {
      // not a URL
    }
  }
  return links;
}

function locations(xml: string): string[] {
  return [...xml.matchAll(LOC)].map((match) => match[1].replace(/&amp;/g, '&'));
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.origin === origin && (parsed.protocol === 'http:' || parsed.protocol === 'https:')
    );
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
