import { nodeEnvSchema, redisEnvSchema, transportEnvSchema } from '@tenantbot/config';
import type { z } from 'zod';

export const chatConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape);

export type ChatConfig = z.output<typeof chatConfigSchema>;
