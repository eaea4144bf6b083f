import { Resolver } from 'node:dns/promises';

import { Inject, Injectable } from '@nestjs/common';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';

/** Answers that mean "no such record", as opposed to a lookup that failed. */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'ENONAME']);

/**
 * Looks up TXT records, at DNS_RESOLVER when set (tests point it at a server on loopback),
 * within the transport's deadline.
 */
@Injectable()
export class DnsTxtVerifier {
  private readonly resolver = new Resolver({ timeout: 3000, tries: 1 });

  constructor(@Inject(TENANTS_CONFIG) config: Pick<TenantsConfig, 'DNS_RESOLVER'>) {
    if (config.DNS_RESOLVER) {
      this.resolver.setServers([config.DNS_RESOLVER]);
    }
  }

  /** Whether a TXT record of `name` (its strings joined, as RFC 7208 reads them) is `value`. */
  async hasRecord(name: string, value: string): Promise<boolean> {
    try {
      const records = await this.resolver.resolveTxt(name);
      return records.some((strings) => strings.join('') === value);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (ABSENT.has(code)) {
        return false;
      }
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        `the DNS lookup of ${name} failed (${code || 'error'}); try again later`,
      );
    }
  }
}
