import { nodeEnvSchema, redisEnvSchema, transportEnvSchema } from '@tenantbot/config';
import type { z } from 'zod';

export const adminConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape);

export type AdminConfig = z.output<typeof adminConfigSchema>;
