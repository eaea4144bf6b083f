import type { z } from 'zod';

import { nodeEnvSchema, redisEnvSchema, transportEnvSchema } from '@tenantbot/config';

export const adminConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape);

export type AdminConfig = z.output<typeof adminConfigSchema>;
