import { z } from 'zod';

import { ROLES } from './roles';

/** Message patterns of the tenants service. */
export const TENANTS = {
  AUTH_LOGIN: 'tenants.auth.login',
  AUTH_REFRESH: 'tenants.auth.refresh',
  AUTH_LOGOUT: 'tenants.auth.logout',
  AUTH_AUTHENTICATE: 'tenants.auth.authenticate',
  AUTH_ME: 'tenants.auth.me',
  TENANT_LIST: 'tenants.tenant.list',
  TENANT_CREATE: 'tenants.tenant.create',
  TENANT_GET: 'tenants.tenant.get',
  TENANT_UPDATE: 'tenants.tenant.update',
  TENANT_DELETE: 'tenants.tenant.delete',
  TENANT_REGISTER: 'tenants.tenant.register',
  /** The tenant in context's custom domains, with their verification state and DNS record. */
  DOMAIN_LIST: 'tenants.domain.list',
  /** Checks a claimed domain's DNS TXT record; once found, Host-based resolution uses it. */
  DOMAIN_VERIFY: 'tenants.domain.verify',
  /** Internal only (no HTTP route): the settings services need to act for the tenant in context. */
  TENANT_RUNTIME_CONFIG: 'tenants.tenant.runtime-config',
  /** For the admin service: tenants by plan and status, users by role (TenantsStats). */
  STATS: 'tenants.stats',
  USER_LIST: 'tenants.user.list',
  /** `PlatformUsersQuery` → `PlatformUserPage`: every company's users (super admin). */
  PLATFORM_USERS: 'tenants.platform.users',
  /** `{ ids }` → the companies' ids, names and slugs (super admin), for views of other services. */
  COMPANY_REFS: 'tenants.platform.company-refs',
  USER_CREATE: 'tenants.user.create',
  USER_GET: 'tenants.user.get',
  USER_UPDATE: 'tenants.user.update',
  USER_DELETE: 'tenants.user.delete',
  API_KEY_LIST: 'tenants.api-key.list',
  API_KEY_CREATE: 'tenants.api-key.create',
  API_KEY_DELETE: 'tenants.api-key.delete',
} as const;

export const PLANS = ['free', 'basic', 'premium', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
/**
 * `local`: feature hashing, offline; `openai`: the OpenAI API; `transformers`: a sentence model
 * run in the rag service (available where the platform loads one: EMBEDDING_MODEL).
 */
export const EMBEDDING_PROVIDERS = ['local', 'openai', 'transformers'] as const;
/** Roles an API key or a tenant user may hold; super_admin is platform-only. */
export const TENANT_ROLES = ['tenant_admin', 'agent', 'user', 'readonly'] as const;

const uuid = z.uuid();
const slug = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and inner dashes');
const domain = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'a host name')
  .transform((value) => value.toLowerCase());
const origin = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^/\s]+$/, 'an origin: scheme://host[:port], no path');
const password = z.string().min(8, 'at least 8 characters').max(256);
const username = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ -');
const email = z.email().max(254);
const providerKey = z.string().min(1).max(512).nullable();
const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[0-9][0-9 ().-]{3,38}[0-9]$/, 'a phone number: digits, spaces, + ( ) . -');
const webAddress = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'an http(s) URL');
const imageAddress = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[^\s/?#]+[^\s]*$/, 'an https URL');

export const rateLimitsSchema = z
  .object({
    requests_per_minute: z.number().int().min(1).max(1_000_000).optional(),
    requests_per_hour: z.number().int().min(1).max(100_000_000).optional(),
    tokens_per_day: z.number().int().min(0).max(10_000_000_000).optional(),
    monthly_budget_usd: z.number().min(0).max(10_000_000).optional(),
  })
  .strict();

export const ragSettingsSchema = z
  .object({
    chunk_size: z.number().int().min(100).max(8000).optional(),
    chunk_overlap: z.number().int().min(0).max(2000).optional(),
    top_k: z.number().int().min(1).max(50).optional(),
    embedding_provider: z.enum(EMBEDDING_PROVIDERS).optional(),
  })
  .strict();

const tenantSettings = {
  name: z.string().trim().min(1).max(200),
  plan: z.enum(PLANS),
  is_active: z.boolean(),
  system_prompt: z.string().max(20_000).nullable(),
  default_model: z.string().max(100).nullable(),
  allowed_models: z.array(z.string().min(1).max(100)).max(100),
  rate_limits: rateLimitsSchema,
  rag: ragSettingsSchema,
  allowed_origins: z.array(origin).max(100),
  domains: z.array(domain).max(50),
  /** The company's public contact details (seed 002), shown in the console. */
  email: email.nullable(),
  phone: phone.nullable(),
  website: webAddress.nullable(),
  logo_url: imageAddress.nullable(),
  /** Write-only: a key to store (encrypted), or null to remove it. Never returned. */
  provider_keys: z
    .object({ openai: providerKey.optional(), anthropic: providerKey.optional() })
    .strict(),
};

export const tenantCreateSchema = z
  .object({
    ...tenantSettings,
    slug,
    plan: tenantSettings.plan.default('free'),
    is_active: tenantSettings.is_active.default(true),
  })
  .partial({
    system_prompt: true,
    default_model: true,
    allowed_models: true,
    rate_limits: true,
    rag: true,
    allowed_origins: true,
    domains: true,
    provider_keys: true,
    email: true,
    phone: true,
    website: true,
    logo_url: true,
  })
  .strict();

/** What a super admin may change. */
export const tenantUpdateSchema = z
  .object({ ...tenantSettings, slug })
  .partial()
  .strict();

/**
 * What a tenant admin may write of its own tenant (`PUT /tenants/me`). Everything else, and
 * any field added later, is the super admin's: the plan, status and slug, and whatever spends
 * the platform's money (`rate_limits` with its budgets, `allowed_models`, which of the
 * platform's embedding providers the tenant uses). The tenant's own provider keys are its own
 * money. `domains` take effect once verified (`/tenants/me/domains`).
 */
export const TENANT_ADMIN_WRITABLE_FIELDS = [
  'name',
  'system_prompt',
  'default_model',
  'allowed_origins',
  'domains',
  'provider_keys',
  'email',
  'phone',
  'website',
  'logo_url',
  'rag.chunk_size',
  'rag.chunk_overlap',
  'rag.top_k',
] as const;

/** The fields of an update, nested ones as `rag.top_k`, that a tenant admin may not write. */
export function fieldsNotWritableByTenantAdmin(update: z.output<typeof tenantUpdateSchema>) {
  const writable = new Set<string>(TENANT_ADMIN_WRITABLE_FIELDS);
  return Object.entries(update)
    .flatMap(([field, value]) => {
      if (writable.has(field)) {
        return [];
      }
      const keys = isPlainObject(value) ? Object.keys(value) : [];
      return keys.length > 0 ? keys.map((key) => `${field}.${key}`) : [field];
    })
    .filter((field) => !writable.has(field));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `PUT /tenants/me`'s body as documented: the fields a tenant admin may write. */
export const tenantSelfUpdateSchema = tenantUpdateSchema
  .pick({
    name: true,
    system_prompt: true,
    default_model: true,
    allowed_origins: true,
    domains: true,
    provider_keys: true,
    email: true,
    phone: true,
    website: true,
    logo_url: true,
  })
  .extend({ rag: ragSettingsSchema.omit({ embedding_provider: true }).strict().optional() })
  .strict();

export const tenantRegistrationSchema = z
  .object({
    company_name: tenantSettings.name,
    slug,
    admin: z.object({ username, email, password }).strict(),
  })
  .strict();

export const tenantViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  plan: z.enum(PLANS),
  is_active: z.boolean(),
  system_prompt: z.string().nullable(),
  default_model: z.string().nullable(),
  allowed_models: z.array(z.string()),
  rate_limits: rateLimitsSchema,
  rag: ragSettingsSchema,
  allowed_origins: z.array(z.string()),
  domains: z.array(z.string()),
  // Optional in the type only (always sent): fixtures written before them stay valid.
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  website: z.string().nullable().optional(),
  logo_url: z.string().nullable().optional(),
  /** Whether a key is stored for the provider; the key itself is never returned. */
  provider_keys: z.object({ openai: z.boolean(), anthropic: z.boolean() }),
  created_at: z.string(),
  updated_at: z.string(),
});
export type TenantView = z.output<typeof tenantViewSchema>;

export const userCreateSchema = z
  .object({
    username,
    email: email.optional(),
    password,
    role: z.enum(ROLES).default('user'),
    is_active: z.boolean().default(true),
  })
  .strict();

export const userUpdateSchema = z
  .object({
    email: email.nullable(),
    password,
    role: z.enum(ROLES),
    is_active: z.boolean(),
  })
  .partial()
  .strict();

export const userViewSchema = z.object({
  id: z.string(),
  tenant_id: z.string().nullable(),
  username: z.string(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type UserView = z.output<typeof userViewSchema>;

export const loginSchema = z
  .object({
    username: z.string().min(1).max(254).optional(),
    email: z.string().min(1).max(254).optional(),
    password: z.string().min(1).max(256),
  })
  .strict()
  .refine((body) => Boolean(body.username) !== Boolean(body.email), {
    message: 'give either username or email',
    path: ['username'],
  });

export const refreshSchema = z.object({ refresh_token: z.string().min(1).max(512) }).strict();

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number(),
  refresh_token: z.string(),
});
export type TokenResponse = z.output<typeof tokenResponseSchema>;

export const apiKeyCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(TENANT_ROLES).default('user'),
    expires_at: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .optional(),
  })
  .strict();

export const apiKeyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: z.enum(TENANT_ROLES),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
});
export type ApiKeyView = z.output<typeof apiKeyViewSchema>;

/** Shown once, at creation: the secret is stored only as a hash. */
export const createdApiKeySchema = apiKeyViewSchema.extend({ key: z.string() });
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;

export const paginationSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type Pagination = z.output<typeof paginationSchema>;

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The reply schema of a page of `item`s. */
export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

export const idParamSchema = z.object({ id: uuid }).strict();

export const domainParamSchema = z.object({ domain }).strict();

/** A custom domain of a tenant and how to prove control of it. */
export const domainViewSchema = z.object({
  domain: z.string(),
  verified: z.boolean(),
  verified_at: z.string().nullable(),
  /** The DNS record to publish: `TXT _tenantbot.<domain>` holding the tenant's token. */
  verification: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }),
});
export type DomainView = z.output<typeof domainViewSchema>;

/**
 * The tenant as the services that act for it see it: its settings and its provider keys in
 * clear. Only services receive it; no HTTP route returns it.
 */
export const tenantRuntimeConfigSchema = tenantViewSchema
  .omit({ name: true, provider_keys: true, created_at: true, updated_at: true })
  .extend({
    provider_keys: z.object({ openai: z.string().optional(), anthropic: z.string().optional() }),
  });
export type TenantRuntimeConfig = z.output<typeof tenantRuntimeConfigSchema>;

/** Where a credential is used: the X-Tenant-ID header (an id or a slug) and the request's Host. */
const credentialWhere = {
  /** The X-Tenant-ID header, an id or a slug. */
  tenant_ref: z.string().optional(),
  /** The request's Host, for tenants on custom domains. */
  host: z.string().optional(),
};

/** What the gateway asks to turn a credential into a principal and a tenant. */
export const authenticateRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('jwt'),
    user_id: z.string(),
    tenant_id: z.string().nullable(),
    ...credentialWhere,
  }),
  z.object({ kind: z.literal('api_key'), key: z.string(), ...credentialWhere }),
]);
export type AuthenticateRequest = z.output<typeof authenticateRequestSchema>;

/** The tenant a request acts in, as authentication resolved it. */
export const authenticatedTenantSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  plan: z.enum(PLANS),
  is_active: z.boolean(),
  rate_limits: rateLimitsSchema,
  rag: ragSettingsSchema,
  /** Origins whose pages may call the API for this tenant (CORS). */
  allowed_origins: z.array(z.string()),
});
export type AuthenticatedTenant = z.output<typeof authenticatedTenantSchema>;

export const authenticatedPrincipalSchema = z.object({
  tenant_id: z.string().nullable(),
  user_id: z.string().nullable(),
  api_key_id: z.string().nullable(),
  role: z.enum(ROLES),
  /** When the credential stops being valid by itself (an API key's expiry), ISO 8601. */
  expires_at: z.string().nullable().optional(),
});
export type AuthenticatedPrincipal = z.output<typeof authenticatedPrincipalSchema>;

/** The answer to `tenants.auth.authenticate`. */
export const authenticationResultSchema = z.object({
  principal: authenticatedPrincipalSchema,
  /** The tenant the request acts in: the credential's, or the one a super admin named. */
  tenant: authenticatedTenantSchema.nullable(),
});
export type AuthenticationResult = z.output<typeof authenticationResultSchema>;

export type LoginRequest = z.output<typeof loginSchema> & {
  /** The X-Tenant-ID header, an id or a slug. */
  tenant_ref?: string;
  /** The request's Host: a tenant's verified custom domain logs into that tenant. */
  host?: string;
  /** The client's address, for the login throttle. */
  client_ip?: string;
};

/** `tenants.auth.login`: the route's body, and where the request came from. */
export const loginMessageSchema = z.object({
  body: loginSchema,
  tenant_ref: z.string().max(200).optional(),
  host: z.string().max(253).optional(),
  client_ip: z.string().max(64).optional(),
});

/** `tenants.auth.me`: the caller, and the tenant it acts in. */
const tenantSummarySchema = tenantViewSchema.pick({ id: true, slug: true, name: true, plan: true });
export const meReplySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user'),
    user: userViewSchema,
    tenant: tenantSummarySchema.nullable(),
  }),
  z.object({
    kind: z.literal('api_key'),
    api_key_id: z.string().optional(),
    role: z.enum(ROLES),
    tenant: tenantSummarySchema.nullable(),
  }),
]);
export type MeReply = z.output<typeof meReplySchema>;

/** `tenants.tenant.register`: the new tenant, and its first admin's tokens. */
export const registrationReplySchema = z.object({
  tenant: tenantViewSchema,
  tokens: tokenResponseSchema,
});
export type RegistrationReply = z.output<typeof registrationReplySchema>;

/** A tenant by id, or `me`: the tenant in context. */
export const tenantRefSchema = z.object({ id: z.union([z.literal('me'), uuid]) }).strict();

export const tenantUpdateMessageSchema = z
  .object({ id: tenantRefSchema.shape.id, body: tenantUpdateSchema })
  .strict();

export const userUpdateMessageSchema = z.object({ id: uuid, body: userUpdateSchema }).strict();

/** Named types of the validated inputs, for handlers and routes that receive them parsed. */
export type TenantCreate = z.output<typeof tenantCreateSchema>;
export type TenantUpdate = z.output<typeof tenantUpdateSchema>;
export type TenantSelfUpdate = z.output<typeof tenantSelfUpdateSchema>;
export type TenantRegistration = z.output<typeof tenantRegistrationSchema>;
export type UserCreate = z.output<typeof userCreateSchema>;
export type UserUpdate = z.output<typeof userUpdateSchema>;
export type ApiKeyCreate = z.output<typeof apiKeyCreateSchema>;
export type LoginBody = z.output<typeof loginSchema>;
export type RefreshRequest = z.output<typeof refreshSchema>;
export type IdParam = z.output<typeof idParamSchema>;
export type DomainParam = z.output<typeof domainParamSchema>;
