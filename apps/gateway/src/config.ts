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
    /** On SIGTERM, how long requests and streams in flight may take to end before the exit. */
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(10_000),
    /** Length of the "per minute" windows in seconds: 60, but tests shorten it to see limits recover. */
    RATE_LIMIT_MINUTE_S: z.coerce.number().int().min(1).max(60).default(60),
  })
  .superRefine(refuseDefaultSecretsInProduction(['JWT_SECRET']));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
