import { describe, expect, it } from '@jest/globals';

import { ModelCatalog, type TenantRuntimeConfig } from '@tenantbot/contracts';

import { ModelPolicy, type PlatformModelSettings } from './model-policy';

const tenant = (overrides: Partial<TenantRuntimeConfig> = {}): TenantRuntimeConfig => ({
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'acme',
  plan: 'free',
  is_active: true,
  system_prompt: null,
  default_model: null,
  allowed_models: [],
  rate_limits: {},
  rag: {},
  allowed_origins: [],
  domains: [],
  provider_keys: {},
  ...overrides,
});

const platform = (overrides: Partial<PlatformModelSettings> = {}): PlatformModelSettings => ({
  catalog: ModelCatalog.builtIn(),
  keys: {},
  providerModels: {
    openai: 'gpt-4o-mini',
    anthropic: 'claude-3-5-haiku-latest',
    local: 'local-extractive',
  },
  fallbackChain: ['openai', 'anthropic', 'local'],
  ...overrides,
});

const routeOf = (policy: ModelPolicy, model: Parameters<ModelPolicy['route']>[0]) =>
  policy.route(model).map((step) => [step.model, step.apiKey]);

describe('ModelPolicy', () => {
  it('defaults to the local responder when no provider key exists', () => {
    expect(new ModelPolicy(tenant(), platform()).choose(undefined)).toBe('local-extractive');
  });

  it('defaults to the request, then the tenant, then the platform, then the first keyed provider', () => {
    const keyed = tenant({ provider_keys: { anthropic: 'sk-ant' } });
    expect(new ModelPolicy(keyed, platform()).choose('claude-sonnet-4-5')).toBe(
      'claude-sonnet-4-5',
    );
    expect(
      new ModelPolicy({ ...keyed, default_model: 'claude-sonnet-4-5' }, platform()).choose(
        undefined,
      ),
    ).toBe('claude-sonnet-4-5');
    expect(
      new ModelPolicy(keyed, platform({ defaultModel: 'claude-sonnet-4-5' })).choose(undefined),
    ).toBe('claude-sonnet-4-5');
    expect(new ModelPolicy(keyed, platform()).choose(undefined)).toBe('claude-3-5-haiku-latest');
  });

  it('skips a default the tenant may not use or cannot call', () => {
    const policy = new ModelPolicy(
      tenant({ default_model: 'gpt-4o', allowed_models: ['local-extractive'] }),
      platform({ keys: { openai: 'sk-platform' } }),
    );
    expect(policy.choose(undefined)).toBe('local-extractive');
  });

  it('refuses unknown and disallowed models', () => {
    const policy = new ModelPolicy(tenant({ allowed_models: ['gpt-4o-mini'] }), platform());
    expect(() => policy.choose('gpt-4o')).toThrow(
      expect.objectContaining({ code: 'MODEL_NOT_ALLOWED' }),
    );
    expect(() => policy.choose('gpt-5-imaginary')).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_MODEL',
        details: { model: 'gpt-5-imaginary', allowed_models: ['gpt-4o-mini'] },
      }),
    );
  });

  it('routes to the next providers of the chain, with the tenant’s key over the platform’s', () => {
    const policy = new ModelPolicy(
      tenant({ provider_keys: { openai: 'sk-tenant' } }),
      platform({ keys: { openai: 'sk-platform', anthropic: 'sk-ant-platform' } }),
    );
    expect(routeOf(policy, 'gpt-4o')).toEqual([
      ['gpt-4o', 'sk-tenant'],
      ['claude-3-5-haiku-latest', 'sk-ant-platform'],
      ['local-extractive', undefined],
    ]);
    expect(routeOf(policy, 'claude-sonnet-4-5')).toEqual([
      ['claude-sonnet-4-5', 'sk-ant-platform'],
      ['local-extractive', undefined],
    ]);
  });

  it('falls back to an allowed model of a provider, and skips providers without one or a key', () => {
    const policy = new ModelPolicy(
      tenant({
        provider_keys: { openai: 'sk', anthropic: 'sk-ant' },
        allowed_models: ['gpt-4o-mini', 'claude-sonnet-4-5'],
      }),
      platform(),
    );
    expect(routeOf(policy, 'gpt-4o-mini')).toEqual([
      ['gpt-4o-mini', 'sk'],
      ['claude-sonnet-4-5', 'sk-ant'],
    ]);
    const withoutKeys = new ModelPolicy(tenant(), platform());
    expect(routeOf(withoutKeys, 'gpt-4o-mini')).toEqual([
      ['gpt-4o-mini', undefined],
      ['local-extractive', undefined],
    ]);
  });

  it('lists the allowed models with availability and the default', () => {
    const reply = new ModelPolicy(
      tenant({ allowed_models: ['gpt-4o', 'local-extractive'], default_model: 'gpt-4o' }),
      platform(),
    ).catalog();
    expect(reply).toEqual({
      default_model: 'local-extractive',
      models: [
        {
          id: 'gpt-4o',
          provider: 'openai',
          context_window: 128_000,
          input_usd_per_million: 2.5,
          output_usd_per_million: 10,
          aliases: ['gpt-4', 'gpt-4-turbo'],
          available: false,
          default: false,
        },
        {
          id: 'local-extractive',
          provider: 'local',
          context_window: 32_768,
          input_usd_per_million: 0,
          output_usd_per_million: 0,
          aliases: [],
          available: true,
          default: true,
        },
      ],
    });
  });

  it('resolves aliases, built in or mapped by the operator, to the model they name', () => {
    expect(new ModelPolicy(tenant(), platform()).choose('gpt-3.5-turbo')).toBe('gpt-4o-mini');
    const remapped = platform({
      catalog: ModelCatalog.extendedWith({
        aliases: { 'gpt-3.5-turbo': 'claude-3-5-haiku-latest' },
      }),
    });
    expect(new ModelPolicy(tenant(), remapped).choose('gpt-3.5-turbo')).toBe(
      'claude-3-5-haiku-latest',
    );
    // An allowed model named by its alias allows the model.
    const byAlias = new ModelPolicy(tenant({ allowed_models: ['gpt-3.5-turbo'] }), platform());
    expect(byAlias.choose('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(() => byAlias.choose('gpt-4o')).toThrow(
      expect.objectContaining({ code: 'MODEL_NOT_ALLOWED' }),
    );
  });

  it('routes to and prices a model the operator added, and lists it with its aliases', () => {
    const catalog = ModelCatalog.extendedWith({
      models: [
        {
          id: 'llama-3.3-70b',
          provider: 'openai',
          context_window: 64_000,
          input_usd_per_million: 0.6,
          output_usd_per_million: 0.9,
          aliases: ['llama'],
        },
      ],
    });
    const policy = new ModelPolicy(
      tenant({ allowed_models: ['llama-3.3-70b'], provider_keys: { openai: 'sk' } }),
      platform({ catalog }),
    );
    expect(policy.choose('llama')).toBe('llama-3.3-70b');
    expect(policy.route('llama-3.3-70b')[0]).toMatchObject({
      model: 'llama-3.3-70b',
      spec: { context_window: 64_000, input_usd_per_million: 0.6 },
      apiKey: 'sk',
    });
    expect(policy.catalog().models).toEqual([
      expect.objectContaining({ id: 'llama-3.3-70b', aliases: ['llama'], default: true }),
    ]);
  });
});
