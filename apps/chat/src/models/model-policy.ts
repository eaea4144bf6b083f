import {
  DomainError,
  ErrorCode,
  type LlmProviderName,
  LOCAL_MODEL,
  type ModelCatalog,
  type ModelId,
  type ModelSpec,
  type ModelsReply,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';

/** What the platform's configuration says about models, for every tenant. */
export interface PlatformModelSettings {
  /** The built-in models and the operator's (MODEL_CATALOG_FILE, MODEL_CATALOG_JSON). */
  catalog: ModelCatalog;
  keys: { openai?: string; anthropic?: string };
  /** The model a fallback to each provider uses. */
  providerModels: Record<LlmProviderName, ModelId>;
  defaultModel?: ModelId;
  fallbackChain: LlmProviderName[];
}

/** One model to try, with the key to call it with. */
export interface RouteStep {
  model: ModelId;
  spec: ModelSpec;
  apiKey?: string;
}

/**
 * Which models a tenant may use and which one answers: the tenant's allowed models (empty:
 * all of the catalog), keys (the tenant's own, else the platform's), default model, and the
 * fallback chain.
 */
export class ModelPolicy {
  constructor(
    private readonly tenant: TenantRuntimeConfig,
    private readonly platform: PlatformModelSettings,
  ) {}

  /** The requested model (an id or an alias) if the tenant may use it, else the default. */
  choose(requested: string | undefined): ModelId {
    if (requested === undefined) {
      const fallback = this.defaultModel();
      if (!fallback) {
        throw new DomainError(ErrorCode.MODEL_NOT_ALLOWED, 'this tenant allows no available model');
      }
      return fallback;
    }
    const model = this.platform.catalog.resolve(requested);
    if (!model) {
      const allowed = this.allowedModels();
      throw new DomainError(
        ErrorCode.UNKNOWN_MODEL,
        `unknown model "${requested}"; this tenant may use: ${allowed.join(', ')}`,
        { model: requested, allowed_models: allowed },
      );
    }
    if (!this.isAllowed(model)) {
      throw new DomainError(
        ErrorCode.MODEL_NOT_ALLOWED,
        `this tenant may not use the model "${requested}"`,
        { model: requested, allowed_models: this.allowedModels() },
      );
    }
    return model;
  }

  /** The chosen model, then each later provider of the fallback chain that can be used. */
  route(model: ModelId): RouteStep[] {
    const chosen = this.spec(model).provider;
    const chain = this.platform.fallbackChain;
    const position = chain.indexOf(chosen);
    const later = position >= 0 ? chain.slice(position + 1) : chain.filter((p) => p !== chosen);
    const fallbacks = later.flatMap((provider): ModelId[] => {
      const fallback = this.fallbackModelOf(provider);
      return fallback ? [fallback] : [];
    });
    const models: ModelId[] = [model, ...fallbacks];
    return models.map((id) => this.step(id));
  }

  catalog(): ModelsReply {
    const defaultModel = this.defaultModel() ?? null;
    return {
      default_model: defaultModel,
      models: this.allowedModels().map((id) => ({
        id,
        ...this.spec(id),
        aliases: this.platform.catalog.aliasesOf(id),
        available: this.isUsable(id),
        default: id === defaultModel,
      })),
    };
  }

  private defaultModel(): ModelId | undefined {
    const candidates = [
      this.tenant.default_model,
      this.platform.defaultModel,
      ...this.platform.fallbackChain.map((provider) => this.fallbackModelOf(provider)),
      LOCAL_MODEL,
    ].map((name) => (name ? this.platform.catalog.resolve(name) : undefined));
    const usable = candidates.find(
      (id): id is ModelId => id !== undefined && this.isAllowed(id) && this.isUsable(id),
    );
    return usable ?? this.allowedModels()[0];
  }

  /** The provider's configured model if allowed, else the first allowed one of it; if usable. */
  private fallbackModelOf(provider: LlmProviderName): ModelId | undefined {
    if (provider !== 'local' && !this.keyFor(provider)) {
      return undefined;
    }
    const preferred = this.platform.providerModels[provider];
    if (this.isAllowed(preferred)) {
      return preferred;
    }
    return this.allowedModels().find((id) => this.spec(id).provider === provider);
  }

  private step(model: ModelId): RouteStep {
    const spec = this.spec(model);
    return spec.provider === 'local'
      ? { model, spec }
      : { model, spec, apiKey: this.keyFor(spec.provider) };
  }

  private allowedModels(): ModelId[] {
    return this.platform.catalog.ids().filter((id) => this.isAllowed(id));
  }

  /** The tenant's allowed models may name a model by an alias. */
  private isAllowed(model: ModelId): boolean {
    const allowed = this.tenant.allowed_models;
    return (
      allowed.length === 0 || allowed.some((name) => this.platform.catalog.resolve(name) === model)
    );
  }

  private spec(model: ModelId): ModelSpec {
    return this.platform.catalog.spec(model);
  }

  private isUsable(model: ModelId): boolean {
    const provider = this.spec(model).provider;
    return provider === 'local' || this.keyFor(provider) !== undefined;
  }

  private keyFor(provider: 'openai' | 'anthropic'): string | undefined {
    return this.tenant.provider_keys[provider] || this.platform.keys[provider];
  }
}
