import {
  LOCAL_DEFAULT_SECRETS,
  jwtEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  refuseDefaultSecretsInProduction,
  transportEnvSchema,
} from '@tenantbot/config';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';
import { z } from 'zod';

const base64Key = z
  .string()
  .refine(
    (value) => Buffer.from(value, 'base64').length === 32,
    'must be 32 bytes, base64-encoded',
  );

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
    ALLOW_SELF_REGISTRATION: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
  })
  .superRefine(
    refuseDefaultSecretsInProduction(['JWT_SECRET', 'ENCRYPTION_KEY', 'SUPER_ADMIN_PASSWORD']),
  );

export type TenantsConfig = z.output<typeof tenantsConfigSchema>;
export const TENANTS_CONFIG = Symbol('TENANTS_CONFIG');
