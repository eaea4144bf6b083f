import { z } from 'zod';

import {
  accessCacheEnvSchema,
  modelCatalogEnvSchema,
  nodeEnvSchema,
  redisEnvSchema,
  transportEnvSchema,
  withModelCatalog,
} from '@tenantbot/config';
import { LLM_PROVIDERS, type LlmProviderName } from '@tenantbot/contracts';
import { serviceDatabaseEnvSchema } from '@tenantbot/database';

const optionalText = z
  .string()
  .optional()
  .transform((value) => value || undefined);
const optionalUrl = optionalText.refine(
  (value) => value === undefined || URL.canParse(value),
  'must be a URL',
);
/** A model of the catalog (an id or an alias), checked once the catalog is loaded. */
const catalogModel = z.string().min(1);

const providersEnvSchema = z.object({
  /** Platform keys, used for tenants that stored none of their own. */
  OPENAI_API_KEY: optionalText,
  ANTHROPIC_API_KEY: optionalText,
  /** OpenAI-compatible endpoint (Azure, a proxy, the fake server of the tests); ends in /v1. */
  OPENAI_BASE_URL: optionalUrl,
  /** Anthropic endpoint without /v1 (a proxy, the fake server of the tests). */
  ANTHROPIC_BASE_URL: optionalUrl,
  /** The model a fallback to the provider uses. */
  OPENAI_CHAT_MODEL: catalogModel.default('gpt-4o-mini'),
  ANTHROPIC_CHAT_MODEL: catalogModel.default('claude-3-5-haiku-latest'),
});

const chatEnvSchema = z.object({
  /** Used when neither the request nor the tenant names a model. */
  CHAT_DEFAULT_MODEL: optionalText,
  /** Providers tried in order when the chosen one fails (5xx, 429, network, timeout, 4xx). */
  CHAT_FALLBACK_CHAIN: z
    .string()
    .default('openai,anthropic,local')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(LLM_PROVIDERS)).max(LLM_PROVIDERS.length))
    .transform((providers): LlmProviderName[] => [...new Set(providers)]),
  /** A provider silent this long (no answer, or no next chunk of a stream) counts as failed. */
  CHAT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Output tokens reserved when the request gives no max_tokens. */
  CHAT_DEFAULT_MAX_TOKENS: z.coerce.number().int().min(1).max(32_000).default(1024),
});

export const chatConfigSchema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend(transportEnvSchema.shape)
  .extend(serviceDatabaseEnvSchema.shape)
  .extend(providersEnvSchema.shape)
  .extend(accessCacheEnvSchema.shape)
  .extend(modelCatalogEnvSchema.shape)
  .extend(chatEnvSchema.shape)
  .transform(
    withModelCatalog(['OPENAI_CHAT_MODEL', 'ANTHROPIC_CHAT_MODEL', 'CHAT_DEFAULT_MODEL'] as const),
  );

export type ChatConfig = z.output<typeof chatConfigSchema>;
