import { isIP } from 'node:net';

import { z } from 'zod';

import {
  gatewayHttpEnvSchema,
  jwtEnvSchema,
  LOCAL_DEFAULT_SECRETS,
  modelCatalogEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  refuseDefaultSecretsInProduction,
  transportEnvSchema,
  withModelCatalog,
} from '@tenantbot/config';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';

const base64Key = z
  .string()
  .refine(
    (value) => Buffer.from(value, 'base64').length === 32,
    'must be 32 bytes, base64-encoded',
  );

const hostList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  );

/** `ip:port` or `[ipv6]:port`, as `Resolver.setServers` takes it (no host names). */
const dnsServer = z.string().refine((value) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(value);
  return Boolean(match && isIP(match[1] ?? match[2] ?? '') && Number(match[3] ?? 53) <= 65535);
}, 'must be ip:port (e.g. 127.0.0.1:53 or [::1]:53)');

export const tenantsConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape)
  .extend(serviceDatabaseEnvSchema.shape)
  .extend(jwtEnvSchema.shape)
  .extend({
    ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_S: z.coerce
      .number()
      .int()
      .min(300)
      .default(30 * 86_400),
    /** AES-256-GCM key for tenants' provider API keys. */
    ENCRYPTION_KEY: base64Key.default(LOCAL_DEFAULT_SECRETS.ENCRYPTION_KEY),
    SUPER_ADMIN_USERNAME: z.string().min(1).max(100).default('admin'),
    SUPER_ADMIN_PASSWORD: z
      .string()
      .min(1)
      .max(256)
      .default(LOCAL_DEFAULT_SECRETS.SUPER_ADMIN_PASSWORD),
    /** Failed logins per client address per LOGIN_IP_WINDOW_S before the address is blocked. */
    LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(100),
    LOGIN_IP_WINDOW_S: z.coerce.number().int().min(1).default(86_400),
    /** Consecutive failed logins of one account from one address before that pair is blocked. */
    LOGIN_FAILURES_PER_ACCOUNT_AND_IP: z.coerce.number().int().min(1).default(10),
    LOGIN_BLOCK_S: z.coerce.number().int().min(1).default(3600),
    /** The platform's public URL: its host is no tenant's to claim. */
    PUBLIC_URL: gatewayHttpEnvSchema.shape.PUBLIC_URL,
    /** More hosts of the platform (console, docs, API aliases), comma-separated. */
    RESERVED_HOSTS: hostList,
    /** The DNS server that domain verification asks; the system's resolvers when unset. */
    DNS_RESOLVER: dnsServer.optional(),
    /** `host:port` pairs webhooks may reach although private (local test receivers only). */
    WEBHOOK_ALLOWED_HOSTS: hostList,
    /** How long an endpoint has to answer one delivery. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** The first retry's delay; each next one doubles, up to WEBHOOK_RETRY_MAX_DELAY_MS. */
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
    WEBHOOK_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(3_600_000),
    /** No attempt starts later than this after the first one. */
    WEBHOOK_RETRY_WINDOW_MS: z.coerce.number().int().min(1).default(86_400_000),
    /** Deliveries in flight per tenants replica. */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
    ALLOW_SELF_REGISTRATION: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
  })
  .extend(modelCatalogEnvSchema.shape)
  .superRefine(
    refuseDefaultSecretsInProduction(['JWT_SECRET', 'ENCRYPTION_KEY', 'SUPER_ADMIN_PASSWORD']),
  )
  // The catalog a tenant's allowed_models and default_model are checked against.
  .transform(withModelCatalog([] as const));

export type TenantsConfig = z.output<typeof tenantsConfigSchema>;
export const TENANTS_CONFIG = Symbol('TENANTS_CONFIG');
