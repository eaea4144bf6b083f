import {
  gatewayHttpEnvSchema,
  jwtEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  refuseDefaultSecretsInProduction,
  transportEnvSchema,
} from '@tenantbot/config';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';
import { objectStorageEnvSchema } from '@tenantbot/object-storage';
import { z } from 'zod';

export const gatewayConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape)
  .extend(serviceDatabaseEnvSchema.shape)
  .extend(gatewayHttpEnvSchema.shape)
  .extend(jwtEnvSchema.shape)
  .extend(objectStorageEnvSchema.shape)
  .extend({
    /** Login attempts per client IP per window, successful or not. */
    LOGIN_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(30),
    /** Failed logins per account per window before the account is locked for the window. */
    LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    LOGIN_WINDOW_S: z.coerce.number().int().min(1).default(900),
    /** Request limits per tenant (by plan), user, API key and ingestion; off only for benchmarks. */
    RATE_LIMITS_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    PRINCIPAL_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    INGESTION_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** Length of the "per minute" windows in seconds: 60, but tests shorten it to see limits recover. */
    RATE_LIMIT_MINUTE_S: z.coerce.number().int().min(1).max(60).default(60),
    /** The web console's own origins, allowed by CORS on every route (comma-separated). */
    CONSOLE_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s*]+$/, 'exact origins, no path'))),
    /** How long browsers may cache a CORS preflight answer. */
    CORS_MAX_AGE_S: z.coerce.number().int().min(0).max(86_400).default(600),
    /** How long the gateway remembers whether an origin is allowed anywhere (preflights). */
    CORS_ORIGIN_CACHE_S: z.coerce.number().int().min(0).max(3600).default(30),
    /** Lifetime of a widget visitor's token; the widget renews it before it expires. */
    VISITOR_TOKEN_TTL_S: z.coerce.number().int().min(30).max(900).default(900),
  })
  .superRefine(refuseDefaultSecretsInProduction(['JWT_SECRET']));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
