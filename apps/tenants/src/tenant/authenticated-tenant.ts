import type { AuthenticatedTenant } from '@tenantbot/contracts';

import type { TenantRecord } from './tenant.repository';

/** What a credential's check answers about its tenant (cached by the gateways, ADR 12). */
export function toAuthenticatedTenant(tenant: TenantRecord): AuthenticatedTenant {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    plan: tenant.plan,
    is_active: tenant.is_active,
    rate_limits: tenant.rate_limits,
    rag: tenant.rag_settings,
    allowed_origins: tenant.allowed_origins,
  };
}
