import { Injectable } from '@nestjs/common';

import { DomainError, ErrorCode, type TenantId } from '@tenantbot/contracts';
import { PlatformScope, type ScopedTransaction } from '@tenantbot/database';

import { DomainRepository } from './domain.repository';
import { type DomainClaimant, DomainPolicy } from './domain-policy';

/** The domains a tenant's settings name: which it may claim, and writing them. */
@Injectable()
export class DomainClaims {
  constructor(
    private readonly platform: PlatformScope,
    private readonly domains: DomainRepository,
    private readonly policy: DomainPolicy,
  ) {}

  /**
   * Before a tenant's domains are written: each is allowed, and none is another tenant's
   * verified domain (pending claims of others do not block: nobody can squat a domain).
   * Seeing other tenants' domains takes the platform scope.
   */
  async assertClaimable(
    tenantId: TenantId | null,
    domains: string[],
    claimant: DomainClaimant,
  ): Promise<void> {
    this.policy.check(domains, claimant);
    if (domains.length === 0) {
      return;
    }
    const taken = await this.domains.verifiedElsewhere(this.platform, tenantId, domains);
    if (taken.length > 0) {
      throw new DomainError(ErrorCode.CONFLICT, 'a domain is already used by another tenant', {
        domains: taken,
      });
    }
  }

  /** Inside the tenant's unit of work: the super admin's claims are verified at once. */
  replace(tx: ScopedTransaction, domains: string[], claimant: DomainClaimant): Promise<void> {
    return this.domains.replace(tx, domains, claimant === 'super_admin');
  }
}
