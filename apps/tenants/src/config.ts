import { nodeEnvSchema, redisEnvSchema, transportEnvSchema } from '@tenantbot/config';
import type { z } from 'zod';

export const tenantsConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape);

export type TenantsConfig = z.output<typeof tenantsConfigSchema>;
