import * as http from 'node:http';
import * as https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

import { Inject, Injectable } from '@nestjs/common';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

import type { RagConfig } from '../../config/rag-config';
import { RAG_CONFIG } from '../../config/tokens';
import { DocumentFailure } from '../document-failure';

export interface SafeWebFetcherOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  /** `host:port` pairs exempt from the address check (local test servers only). */
  allowedHosts: string[];
}

export interface FetchOptions {
  /** Runs before every request, redirects included (the robots.txt check). */
  beforeRequest?: (url: URL) => Promise<void>;
  maxBytes?: number;
  accept?: string;
}

export interface FetchedResource {
  /** Where the content finally came from, after redirects. */
  url: string;
  status: number;
  contentType: string | null;
  body: Buffer;
}

interface RawResponse {
  status: number;
  location?: string;
  contentType: string | null;
  body: Buffer;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Fetches web content without becoming a way into the private network: http and https only,
 * no credentials in URLs, and the address every connection goes to — after DNS resolution,
 * at connect time, for every redirect — must be public (request-filtering-agent refuses
 * private, loopback, link-local incl. 169.254.169.254, and IPv4-mapped IPv6). At most 5
 * redirects, one deadline for the whole fetch, and a byte cap enforced while reading.
 */
@Injectable()
export class SafeWebFetcher {
  private readonly filteringHttp = new RequestFilteringHttpAgent();
  private readonly filteringHttps = new RequestFilteringHttpsAgent();
  private readonly plainHttp = new http.Agent();
  private readonly plainHttps = new https.Agent();

  private readonly options: SafeWebFetcherOptions;

  constructor(@Inject(RAG_CONFIG) config: RagConfig) {
    this.options = {
      timeoutMs: config.WEB_FETCH_TIMEOUT_MS,
      maxBytes: Math.min(config.WEB_FETCH_MAX_BYTES, config.MAX_DOCUMENT_BYTES),
      userAgent: config.WEB_USER_AGENT,
      allowedHosts: config.WEB_FETCH_ALLOWED_HOSTS,
    };
  }

  async fetch(url: string, options: FetchOptions = {}): Promise<FetchedResource> {
    const maxBytes = options.maxBytes ?? this.options.maxBytes;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let current = parseWebUrl(url);
    for (let redirects = 0; ; redirects++) {
      await options.beforeRequest?.(current);
      const response = await this.request(current, signal, maxBytes, options.accept);
      if (!REDIRECT_STATUSES.has(response.status) || !response.location) {
        return { url: current.toString(), ...response };
      }
      if (redirects === MAX_REDIRECTS) {
        throw new DocumentFailure(
          'FETCH_FAILED',
          `${url} redirects more than ${MAX_REDIRECTS} times`,
        );
      }
      current = parseWebUrl(new URL(response.location, current).toString());
    }
  }

  private request(
    url: URL,
    signal: AbortSignal,
    maxBytes: number,
    accept = '*/*',
  ): Promise<RawResponse> {
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => reject(this.describe(error, url));
      const request = client.request(
        url,
        {
          agent: this.agentFor(url),
          signal,
          headers: {
            'user-agent': this.options.userAgent,
            accept,
            'accept-encoding': 'gzip, deflate, br',
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          const contentType = response.headers['content-type'] ?? null;
          if (REDIRECT_STATUSES.has(status)) {
            response.resume();
            return resolve({
              status,
              location: response.headers.location,
              contentType,
              body: Buffer.alloc(0),
            });
          }
          if (Number(response.headers['content-length'] ?? 0) > maxBytes) {
            response.destroy();
            return reject(tooLarge(url, maxBytes));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              response.destroy();
              reject(tooLarge(url, maxBytes));
            } else {
              chunks.push(chunk);
            }
          });
          response.on('error', fail);
          response.on('end', () => {
            try {
              const body = decode(
                Buffer.concat(chunks),
                response.headers['content-encoding'],
                maxBytes,
              );
              resolve({ status, contentType, body });
            } catch {
              reject(tooLarge(url, maxBytes));
            }
          });
        },
      );
      request.on('error', fail);
      request.end();
    });
  }

  private agentFor(url: URL): http.Agent {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const allowListed = this.options.allowedHosts.includes(`${url.hostname}:${port}`.toLowerCase());
    if (url.protocol === 'https:') {
      return allowListed ? this.plainHttps : this.filteringHttps;
    }
    return allowListed ? this.plainHttp : this.filteringHttp;
  }

  private describe(error: unknown, url: URL): DocumentFailure {
    if (error instanceof DocumentFailure) {
      return error;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (/is not allowed/.test(message)) {
      return new DocumentFailure(
        'URL_NOT_ALLOWED',
        `${url.host} is a private, loopback, link-local or otherwise internal address: not fetched`,
      );
    }
    if (code === 'ABORT_ERR' || (error instanceof Error && error.name === 'TimeoutError')) {
      return new DocumentFailure(
        'FETCH_FAILED',
        `${url.host} did not answer within ${this.options.timeoutMs / 1000} s`,
        true,
      );
    }
    if (code === 'ENOTFOUND') {
      return new DocumentFailure('FETCH_FAILED', `${url.hostname} does not exist (DNS)`);
    }
    return new DocumentFailure(
      'FETCH_FAILED',
      `fetching ${url.toString()} failed: ${message}`,
      true,
    );
  }
}

/** A URL the fetcher may request: http(s), no user name or password. */
export function parseWebUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DocumentFailure('URL_NOT_ALLOWED', `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DocumentFailure(
      'URL_NOT_ALLOWED',
      `only http and https URLs are fetched, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new DocumentFailure('URL_NOT_ALLOWED', 'URLs with credentials are not fetched');
  }
  url.hash = '';
  return url;
}

const DECOMPRESSORS: Record<string, typeof gunzipSync> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** Compressed bodies are inflated with the same byte cap: no compression bombs. */
function decode(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const decompress = DECOMPRESSORS[encoding?.trim().toLowerCase() ?? 'identity'];
  return decompress ? decompress(body, { maxOutputLength: maxBytes }) : body;
}

function tooLarge(url: URL, maxBytes: number): DocumentFailure {
  return new DocumentFailure(
    'DOCUMENT_TOO_LARGE',
    `${url.toString()} is larger than ${maxBytes} bytes`,
  );
}
