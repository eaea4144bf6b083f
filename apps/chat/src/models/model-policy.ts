import {
  DomainError,
  ErrorCode,
  isKnownModel,
  type LlmProviderName,
  LOCAL_MODEL,
  MODEL_CATALOG,
  type ModelId,
  type ModelSpec,
  type ModelsReply,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';

/** What the platform's configuration says about models, for every tenant. */
export interface PlatformModelSettings {
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

const CATALOG_IDS = Object.keys(MODEL_CATALOG).filter(isKnownModel);

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

  /** The requested model if the tenant may use it, else the default. */
  choose(requested: string | undefined): ModelId {
    if (requested === undefined) {
      const fallback = this.defaultModel();
      if (!fallback) {
        throw new DomainError(ErrorCode.MODEL_NOT_ALLOWED, 'this tenant allows no available model');
      }
      return fallback;
    }
    if (!isKnownModel(requested)) {
      const allowed = this.allowedModels();
      throw new DomainError(
        ErrorCode.UNKNOWN_MODEL,
        `unknown model "${requested}"; this tenant may use: ${allowed.join(', ')}`,
        { model: requested, allowed_models: allowed },
      );
    }
    if (!this.isAllowed(requested)) {
      throw new DomainError(
        ErrorCode.MODEL_NOT_ALLOWED,
        `this tenant may not use the model "${requested}"`,
        { model: requested, allowed_models: this.allowedModels() },
      );
    }
    return requested;
  }

  /** The chosen model, then each later provider of the fallback chain that can be used. */
  route(model: ModelId): RouteStep[] {
    const chosen = MODEL_CATALOG[model].provider;
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
        ...MODEL_CATALOG[id],
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
    ];
    const usable = candidates.find(
      (id): id is ModelId =>
        typeof id === 'string' && isKnownModel(id) && this.isAllowed(id) && this.isUsable(id),
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
    return this.allowedModels().find((id) => MODEL_CATALOG[id].provider === provider);
  }

  private step(model: ModelId): RouteStep {
    const spec = MODEL_CATALOG[model];
    return spec.provider === 'local'
      ? { model, spec }
      : { model, spec, apiKey: this.keyFor(spec.provider) };
  }

  private allowedModels(): ModelId[] {
    return CATALOG_IDS.filter((id) => this.isAllowed(id));
  }

  private isAllowed(model: ModelId): boolean {
    const allowed = this.tenant.allowed_models;
    return allowed.length === 0 || allowed.includes(model);
  }

  private isUsable(model: ModelId): boolean {
    const provider = MODEL_CATALOG[model].provider;
    return provider === 'local' || this.keyFor(provider) !== undefined;
  }

  private keyFor(provider: 'openai' | 'anthropic'): string | undefined {
    return this.tenant.provider_keys[provider] || this.platform.keys[provider];
  }
}
