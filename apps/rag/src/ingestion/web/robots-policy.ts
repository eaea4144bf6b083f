import robotsParser from 'robots-parser';

import { DocumentFailure } from '../document-failure';
import type { SafeWebFetcher } from './safe-web-fetcher';

type Robot = ReturnType<typeof robotsParser>;

/**
 * robots.txt of the origins one ingestion visits (RFC 9309): a 4xx means no rules; an
 * unreachable robots.txt (5xx, network) means "try later", never "allowed".
 */
export class RobotsPolicy {
  private readonly robots = new Map<string, Promise<Robot>>();

  constructor(
    private readonly fetcher: SafeWebFetcher,
    private readonly userAgent: string,
  ) {}

  async assertAllowed(url: URL): Promise<void> {
    const robot = await this.robotOf(url.origin);
    if (robot.isAllowed(url.toString(), this.userAgent) === false) {
      throw new DocumentFailure(
        'ROBOTS_DISALLOWED',
        `robots.txt of ${url.origin} does not allow ${this.userAgent} to fetch ${url.pathname}`,
      );
    }
  }

  /** Seconds robots.txt asks crawlers to wait between requests, capped at 5. */
  async crawlDelayMs(origin: string): Promise<number> {
    const delay = (await this.robotOf(origin)).getCrawlDelay(this.userAgent) ?? 0;
    return Math.min(delay, 5) * 1000;
  }

  async sitemaps(origin: string): Promise<string[]> {
    return (await this.robotOf(origin)).getSitemaps();
  }

  private robotOf(origin: string): Promise<Robot> {
    let robot = this.robots.get(origin);
    if (!robot) {
      robot = this.load(origin);
      this.robots.set(origin, robot);
    }
    return robot;
  }

  private async load(origin: string): Promise<Robot> {
    const url = `${origin}/robots.txt`;
    const response = await this.fetcher.fetch(url, { maxBytes: 512 * 1024, accept: 'text/plain' });
    if (response.status >= 200 && response.status < 300) {
      return robotsParser(url, response.body.toString('utf8'));
    }
    if (response.status >= 400 && response.status < 500) {
      return robotsParser(url, '');
    }
    throw new DocumentFailure(
      'FETCH_FAILED',
      `robots.txt of ${origin} is unreachable (HTTP ${response.status}); will retry`,
      true,
    );
  }
}
