import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { Caller } from '@tenantbot/contracts';
import { DomainError, type DomainView, ErrorCode, type TenantId } from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';

import { requireRole } from '../security/caller';
import { DnsTxtVerifier } from './dns-txt-verifier';
import { DomainRepository, type TenantDomainRow } from './domain.repository';
import { DomainPolicy } from './domain-policy';

/**
 * Custom domains of the caller's tenant, and the DNS proof that makes a claim take effect for
 * Host-based resolution.
 */
@Injectable()
export class DomainService {
  constructor(
    private readonly scope: TenantScope,
    private readonly domains: DomainRepository,
    private readonly policy: DomainPolicy,
    private readonly dns: DnsTxtVerifier,
  ) {}

  async list(caller: Caller): Promise<DomainView[]> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = caller.tenantId;
    return this.scope.run(tenantId, async (db) => {
      const token = await this.tokenOf(db, tenantId);
      const domains = await this.domains.list(db, tenantId);
      return domains.map((row) => toDomainView(row, token));
    });
  }

  /** Looks up `_tenantbot.<domain>`; found with the tenant's token, the domain is verified. */
  async verify(caller: Caller, domain: string): Promise<DomainView> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = caller.tenantId;
    const { claim, token } = await this.scope.run(tenantId, async (db) => ({
      token: await this.tokenOf(db, tenantId),
      claim: await this.claimOf(db, tenantId, domain),
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
    return this.scope.run(tenantId, async (db) => {
      await this.domains.markVerified(db, tenantId, domain);
      return toDomainView((await this.claimOf(db, tenantId, domain)) ?? claim, token);
    });
  }

  private async claimOf(
    db: EntityManager,
    tenantId: TenantId,
    domain: string,
  ): Promise<TenantDomainRow | undefined> {
    return (await this.domains.list(db, tenantId)).find((row) => row.domain === domain);
  }

  private async tokenOf(db: EntityManager, tenantId: TenantId): Promise<string> {
    const token = await this.domains.verificationToken(db, tenantId);
    if (token === undefined) {
      throw new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
    }
    return token;
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
