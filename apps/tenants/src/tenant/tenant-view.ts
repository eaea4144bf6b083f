import type { TenantView } from '@tenantbot/contracts';

import type { TenantRecord } from './tenant.repository';

export function toTenantView(row: TenantRecord): TenantView {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    plan: row.plan,
    is_active: row.is_active,
    system_prompt: row.system_prompt,
    default_model: row.default_model,
    allowed_models: row.allowed_models,
    rate_limits: row.rate_limits,
    rag: row.rag_settings,
    allowed_origins: row.allowed_origins,
    domains: row.domains,
    email: row.email,
    phone: row.phone,
    website: row.website,
    logo_url: row.logo_url,
    provider_keys: {
      openai: Boolean(row.provider_keys.openai),
      anthropic: Boolean(row.provider_keys.anthropic),
    },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
