import { z } from 'zod';

import {
  accessCacheEnvSchema,
  gatewayHttpEnvSchema,
  jwtEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  refuseDefaultSecretsInProduction,
  transportEnvSchema,
} from '@tenantbot/config';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';
import { objectStorageEnvSchema } from '@tenantbot/object-storage';

export const gatewayConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape)
  .extend(serviceDatabaseEnvSchema.shape)
  .extend(gatewayHttpEnvSchema.shape)
  .extend(jwtEnvSchema.shape)
  .extend(objectStorageEnvSchema.shape)
  .extend(accessCacheEnvSchema.shape)
  .extend({
    /** Bearer token that opens `/metrics`; without one, metrics are off. */
    METRICS_TOKEN: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    /** Request limits per tenant (by plan), user, API key and ingestion; off only for benchmarks. */
    RATE_LIMITS_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    PRINCIPAL_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    INGESTION_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** On SIGTERM, how long requests and streams in flight may take to end before the exit. */
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
    /** On SIGTERM, how long idle keep-alive connections are still served once (graceful-shutdown.ts). */
    SHUTDOWN_LINGER_MS: z.coerce.number().int().min(0).default(2_000),
    /** Length of the "per minute" windows in seconds: 60, but tests shorten it to see limits recover. */
    RATE_LIMIT_MINUTE_S: z.coerce.number().int().min(1).max(60).default(60),
    /** WebSockets open at once per user or API key, across every gateway replica. */
    WS_MAX_CONNECTIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).default(20),
    /** WebSockets open at once per tenant, across every gateway replica. */
    WS_MAX_CONNECTIONS_PER_TENANT: z.coerce.number().int().min(1).default(1000),
    /** An open socket's place in those counts lasts this long unless its replica renews it. */
    WS_CONNECTION_LEASE_S: z.coerce.number().int().min(2).default(30),
    /** An open WebSocket or SSE stream re-checks its caller this often (and on every message). */
    OPEN_STREAM_RECHECK_MS: z.coerce.number().int().min(100).default(5000),
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
    /** Where the built web console is (default: dist/console beside the built gateway). */
    CONSOLE_DIR: z.string().min(1).optional(),
    /** How long browsers may cache a CORS preflight answer. */
    CORS_MAX_AGE_S: z.coerce.number().int().min(0).max(86_400).default(600),
    /** How long the gateway remembers whether an origin is allowed anywhere (preflights). */
    CORS_ORIGIN_CACHE_S: z.coerce.number().int().min(0).max(3600).default(30),
    /** Lifetime of a widget visitor's token; the widget renews it before it expires. */
    VISITOR_TOKEN_TTL_S: z.coerce.number().int().min(30).max(900).default(900),
  })
  .refine((config) => config.WS_CONNECTION_LEASE_S * 1000 >= 2 * config.OPEN_STREAM_RECHECK_MS, {
    message: 'WS_CONNECTION_LEASE_S must be at least two OPEN_STREAM_RECHECK_MS periods',
    path: ['WS_CONNECTION_LEASE_S'],
  })
  .superRefine(refuseDefaultSecretsInProduction(['JWT_SECRET']));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
