import {
  chromaEnvSchema,
  gatewayHttpEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  refuseDefaultSecretsInProduction,
  transportEnvSchema,
  LOCAL_DEFAULT_SECRETS,
} from '@tenantbot/config';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';
import { z } from 'zod';

export const gatewayConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape)
  .extend(serviceDatabaseEnvSchema.shape)
  .extend(chromaEnvSchema.shape)
  .extend(gatewayHttpEnvSchema.shape)
  .extend({
    REDIS_PASSWORD: z.string().optional(),
    JWT_SECRET: z
      .string()
      .min(32, 'must be at least 32 characters')
      .default(LOCAL_DEFAULT_SECRETS.JWT_SECRET),
  })
  .superRefine(refuseDefaultSecretsInProduction(['JWT_SECRET']));

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
