import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * The SSRF guard of webhooks, the same as web ingestion's (request-filtering-agent at connect
 * time, plus `host:port` exemptions for local test receivers): an endpoint must be http(s)
 * without credentials, and every address its name resolves to must be public unicast — no
 * private, loopback, link-local (169.254.169.254, the cloud metadata service), CGNAT or
 * IPv4-mapped forms of those. Checked when the endpoint is registered, and again at every
 * delivery on the address actually connected to (a name that later resolves elsewhere, DNS
 * rebinding, is refused then).
 */
@Injectable()
export class WebhookAddressGuard {
  private readonly resolver?: Resolver;
  private readonly allowedHosts: ReadonlySet<string>;

  constructor(
    @Inject(TENANTS_CONFIG)
    config: Pick<TenantsConfig, 'DNS_RESOLVER' | 'WEBHOOK_ALLOWED_HOSTS'>,
  ) {
    if (config.DNS_RESOLVER) {
      this.resolver = new Resolver({ timeout: 3000, tries: 1 });
      this.resolver.setServers([config.DNS_RESOLVER]);
    }
    this.allowedHosts = new Set(config.WEBHOOK_ALLOWED_HOSTS);
  }

  /** The endpoint's URL, refused with URL_NOT_ALLOWED unless every address it has is public. */
  async checkRegistration(value: string): Promise<URL> {
    const url = parseEndpoint(value);
    if (this.isExempt(url)) {
      return url;
    }
    const host = hostOf(url);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.resolve(host);
    } catch {
      throw new DomainError(ErrorCode.URL_NOT_ALLOWED, `${host} does not resolve (DNS)`);
    }
    const internal = addresses.find((address) => !isPublicAddress(address));
    if (internal !== undefined || addresses.length === 0) {
      throw new DomainError(
        ErrorCode.URL_NOT_ALLOWED,
        `${host} is a private, loopback, link-local or otherwise internal address: webhooks go to public addresses only`,
      );
    }
    return url;
  }

  /** A local test receiver listed in WEBHOOK_ALLOWED_HOSTS: delivered without the check. */
  isExempt(url: URL): boolean {
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.allowedHosts.has(`${url.hostname}:${port}`.toLowerCase());
  }

  /** `lookup` for http.request: DNS_RESOLVER when set (the filtering agent checks the result). */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    if (!this.resolver) {
      systemLookup(hostname, { ...options, all: true }, (error, addresses) =>
        answerLookup(error, addresses, options, callback),
      );
      return;
    }
    this.resolve(hostname).then(
      (addresses) =>
        answerLookup(
          null,
          addresses.map((address) => ({ address, family: isIP(address) })),
          options,
          callback,
        ),
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };

  private async resolve(host: string): Promise<string[]> {
    if (!this.resolver) {
      const found = await new Promise<LookupAddress[]>((resolve, reject) =>
        systemLookup(host, { all: true }, (error, addresses) =>
          error ? reject(error) : resolve(addresses),
        ),
      );
      return found.map(({ address }) => address);
    }
    const settled = await Promise.allSettled([
      this.resolver.resolve4(host),
      this.resolver.resolve6(host),
    ]);
    const addresses = settled.flatMap((result) =>
      result.status === 'fulfilled' ? result.value : [],
    );
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' });
    }
    return addresses;
  }
}

/** An endpoint URL: http or https, absolute, no user name or password. */
export function parseEndpoint(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError(ErrorCode.URL_NOT_ALLOWED, `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError(ErrorCode.URL_NOT_ALLOWED, 'webhook URLs are http or https');
  }
  if (url.username || url.password) {
    throw new DomainError(ErrorCode.URL_NOT_ALLOWED, 'webhook URLs carry no credentials');
  }
  return url;
}

/** Public unicast only; IPv4-mapped IPv6 is judged as the IPv4 address it carries. */
export function isPublicAddress(address: string): boolean {
  try {
    return ipaddr.process(address).range() === 'unicast';
  } catch {
    return false;
  }
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function answerLookup(
  error: NodeJS.ErrnoException | null,
  addresses: LookupAddress[],
  options: LookupOptions,
  callback: LookupCallback,
): void {
  if (error || addresses.length === 0) {
    callback(error ?? Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
  } else if (options.all) {
    callback(null, addresses);
  } else {
    callback(null, addresses[0].address, addresses[0].family);
  }
}
