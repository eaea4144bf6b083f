import { nodeEnvSchema, redisEnvSchema, transportEnvSchema } from '@tenantbot/config';
import type { z } from 'zod';

export const ragConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape);

export type RagConfig = z.output<typeof ragConfigSchema>;
