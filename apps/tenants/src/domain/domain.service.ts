import { Injectable } from '@nestjs/common';

import { type Caller, DomainError, type DomainView, ErrorCode } from '@tenantbot/contracts';
import { type ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import { requireRole } from '../security/caller';
import { DnsTxtVerifier } from './dns-txt-verifier';
import { DomainRepository, type TenantDomainRecord } from './domain.repository';
import { DomainPolicy } from './domain-policy';

/**
 * Custom domains of the caller's tenant, and the DNS proof that makes a claim take effect for
 * Host-based resolution.
 */
@Injectable()
export class DomainService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly domains: DomainRepository,
    private readonly policy: DomainPolicy,
    private readonly dns: DnsTxtVerifier,
  ) {}

  async list(caller: Caller): Promise<DomainView[]> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = caller.tenantId;
    return this.database.transaction(tenantId, async (tx) => {
      const token = await this.tokenOf(tx);
      const domains = await this.domains.list(tx);
      return domains.map((row) => toDomainView(row, token));
    });
  }

  /** Looks up `_tenantbot.<domain>`; found with the tenant's token, the domain is verified. */
  async verify(caller: Caller, domain: string): Promise<DomainView> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = caller.tenantId;
    const { claim, token } = await this.database.transaction(tenantId, async (tx) => ({
      token: await this.tokenOf(tx),
      claim: await this.claimOf(tx, domain),
    }));
    if (!claim) {
      throw new DomainError(
        ErrorCode.DOMAIN_NOT_FOUND,
        'this tenant has not claimed the domain: add it to `domains` first',
      );
    }
    if (claim.verified_at) {
      return toDomainView(claim, token);
    }

    this.policy.check([domain], caller.role === 'super_admin' ? 'super_admin' : 'tenant_admin');
    const { verification } = toDomainView(claim, token);
    if (!(await this.dns.hasRecord(verification.name, verification.value))) {
      throw new DomainError(
        ErrorCode.DOMAIN_NOT_VERIFIED,
        `no TXT record ${verification.name} holding "${verification.value}" was found`,
        { verification },
      );
    }
    return this.database.transaction(tenantId, async (tx) => {
      await this.domains.markVerified(tx, domain);
      return toDomainView((await this.claimOf(tx, domain)) ?? claim, token);
    });
  }

  private async claimOf(
    tx: ScopedTransaction,
    domain: string,
  ): Promise<TenantDomainRecord | undefined> {
    return (await this.domains.list(tx)).find((row) => row.domain === domain);
  }

  private async tokenOf(tx: ScopedTransaction): Promise<string> {
    const token = await this.domains.verificationToken(tx);
    if (token === undefined) {
      throw new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
    }
    return token;
  }
}

export function toDomainView(row: TenantDomainRecord, token: string): DomainView {
  return {
    domain: row.domain,
    verified: row.verified_at !== null,
    verified_at: row.verified_at?.toISOString() ?? null,
    verification: {
      type: 'TXT',
      name: `_tenantbot.${row.domain}`,
      value: `tenantbot-verification=${token}`,
    },
  };
}
