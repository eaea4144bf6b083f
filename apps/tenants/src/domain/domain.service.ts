import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, type DomainView } from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import type { EntityManager } from 'typeorm';
import { requireRole, requireTenantId } from '../security/access';
import { TenantRepository, type TenantDomainRow } from '../tenant/tenant.repository';
import { DnsTxtVerifier } from './dns-txt-verifier';
import { DomainPolicy, type DomainClaimant } from './domain-policy';

/**
 * Custom domains: which a tenant may claim, and the DNS proof that makes a claim take effect
 * for Host-based resolution. The super admin's claims are verified at once.
 */
@Injectable()
export class DomainService {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(DomainPolicy) private readonly policy: DomainPolicy,
    @Inject(DnsTxtVerifier) private readonly dns: DnsTxtVerifier,
  ) {}

  /**
   * Before a tenant's domains are written: each is allowed, and none is another tenant's
   * verified domain (pending claims of others do not block: nobody can squat a domain).
   */
  async assertClaimable(
    tenantId: string | null,
    domains: string[],
    claimant: DomainClaimant,
  ): Promise<void> {
    this.policy.check(domains, claimant);
    if (domains.length === 0) return;
    const taken = await this.scope.runAcrossTenants((db) =>
      this.tenants.domainsVerifiedElsewhere(db, tenantId, domains),
    );
    if (taken.length > 0) {
      throw new DomainError(ErrorCode.CONFLICT, 'a domain is already used by another tenant', {
        domains: taken,
      });
    }
  }

  list(): Promise<DomainView[]> {
    requireRole('tenant_admin', 'super_admin');
    const tenantId = requireTenantId();
    return this.scope.run(tenantId, async (db) => {
      const token = await this.tokenOf(db, tenantId);
      const domains = await this.tenants.listDomains(db, tenantId);
      return domains.map((row) => toDomainView(row, token));
    });
  }

  /** Looks up `_tenantbot.<domain>`; found with the tenant's token, the domain is verified. */
  async verify(domain: string): Promise<DomainView> {
    const principal = requireRole('tenant_admin', 'super_admin');
    const tenantId = requireTenantId();
    const { claim, token } = await this.scope.run(tenantId, async (db) => ({
      token: await this.tokenOf(db, tenantId),
      claim: (await this.tenants.listDomains(db, tenantId)).find((row) => row.domain === domain),
    }));
    if (!claim) {
      throw new DomainError(
        ErrorCode.DOMAIN_NOT_FOUND,
        'this tenant has not claimed the domain: add it to `domains` first',
      );
    }
    if (claim.verified_at) return toDomainView(claim, token);

    this.policy.check([domain], principal.role === 'super_admin' ? 'super_admin' : 'tenant_admin');
    const { verification } = toDomainView(claim, token);
    if (!(await this.dns.hasRecord(verification.name, verification.value))) {
      throw new DomainError(
        ErrorCode.DOMAIN_NOT_VERIFIED,
        `no TXT record ${verification.name} holding "${verification.value}" was found`,
        { verification },
      );
    }
    return this.scope.run(tenantId, async (db) => {
      await this.tenants.markDomainVerified(db, tenantId, domain);
      const verified = (await this.tenants.listDomains(db, tenantId)).find(
        (row) => row.domain === domain,
      );
      return toDomainView(verified ?? claim, token);
    });
  }

  private async tokenOf(db: EntityManager, tenantId: string): Promise<string> {
    const tenant = await this.tenants.findById(db, tenantId);
    if (!tenant) throw new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
    return tenant.domain_verification_token;
  }
}

export function toDomainView(row: TenantDomainRow, token: string): DomainView {
  return {
    domain: row.domain,
    verified: row.verified_at !== null,
    verified_at: row.verified_at ? new Date(row.verified_at).toISOString() : null,
    verification: {
      type: 'TXT',
      name: `_tenantbot.${row.domain}`,
      value: `tenantbot-verification=${token}`,
    },
  };
}
