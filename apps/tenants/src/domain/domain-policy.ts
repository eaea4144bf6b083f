import { getDomain } from 'tldts';

import { DomainError, ErrorCode } from '@tenantbot/contracts';

export type DomainClaimant = 'super_admin' | 'tenant_admin';

export interface RefusedDomain {
  domain: string;
  reason: 'public_suffix' | 'reserved';
}

/**
 * Which hosts a tenant may hold: never a bare public suffix (`com`, `co.uk`, `github.io`,
 * from the Public Suffix List, private section included), never a host of the platform
 * itself; and a tenant admin, not even a subdomain of one (the super admin may hand those out).
 */
export class DomainPolicy {
  private readonly reserved: Set<string>;

  constructor(reservedHosts: readonly string[]) {
    this.reserved = new Set(reservedHosts.map((host) => host.toLowerCase()));
  }

  static fromConfig(config: { PUBLIC_URL?: string; RESERVED_HOSTS: string[] }): DomainPolicy {
    const publicHost = config.PUBLIC_URL ? new URL(config.PUBLIC_URL).hostname : undefined;
    return new DomainPolicy([...(publicHost ? [publicHost] : []), ...config.RESERVED_HOSTS]);
  }

  /** Throws DOMAIN_NOT_ALLOWED naming each refused domain and why. */
  check(domains: readonly string[], claimant: DomainClaimant): void {
    const refused = domains.flatMap((domain) => {
      const reason = this.refusalOf(domain.toLowerCase(), claimant);
      return reason ? [{ domain, reason }] : [];
    });
    if (refused.length > 0) {
      throw new DomainError(
        ErrorCode.DOMAIN_NOT_ALLOWED,
        `not a domain a tenant may claim: ${refused.map((r) => `${r.domain} (${r.reason})`).join(', ')}`,
        { domains: refused },
      );
    }
  }

  private refusalOf(domain: string, claimant: DomainClaimant): RefusedDomain['reason'] | null {
    if (getDomain(domain, { allowPrivateDomains: true }) === null) {
      return 'public_suffix';
    }
    if (this.reserved.has(domain)) {
      return 'reserved';
    }
    if (
      claimant === 'tenant_admin' &&
      [...this.reserved].some((host) => domain.endsWith(`.${host}`))
    ) {
      return 'reserved';
    }
    return null;
  }
}
