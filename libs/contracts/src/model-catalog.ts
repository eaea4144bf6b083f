import { z } from 'zod';

import { LLM_PROVIDERS, MODEL_CATALOG, type ModelSpec } from './chat';

/**
 * The models the platform can route to: the built-ins (`MODEL_CATALOG`) and what the
 * operator's configuration adds or changes (MODEL_CATALOG_FILE, MODEL_CATALOG_JSON), with
 * aliases: names a client may send (`gpt-3.5-turbo`) for a model of the catalog.
 */

/** Names older clients send, mapped to a built-in model; an operator may map them elsewhere. */
export const BUILT_IN_ALIASES: Readonly<Record<string, string>> = {
  'gpt-3.5-turbo': 'gpt-4o-mini',
  'gpt-4': 'gpt-4o',
  'gpt-4-turbo': 'gpt-4o',
};

const modelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / -');

export const modelCatalogEntrySchema = z.strictObject({
  id: modelName,
  provider: z.enum(LLM_PROVIDERS),
  context_window: z.number().int().min(256).max(100_000_000),
  input_usd_per_million: z.number().min(0).max(1_000_000),
  output_usd_per_million: z.number().min(0).max(1_000_000),
  aliases: z.array(modelName).max(50).default([]),
});
export type ModelCatalogEntry = z.output<typeof modelCatalogEntrySchema>;

/** What an operator's configuration says: models added (or replaced, by id) and aliases. */
export const modelCatalogExtensionSchema = z.strictObject({
  models: z.array(modelCatalogEntrySchema).max(1000).default([]),
  /** alias → model id; overrides the built-in aliases and the models' own. */
  aliases: z.record(modelName, modelName).default({}),
});
export type ModelCatalogExtension = z.input<typeof modelCatalogExtensionSchema>;

export class ModelCatalog {
  private constructor(
    private readonly models: ReadonlyMap<string, ModelSpec>,
    private readonly aliases: ReadonlyMap<string, string>,
  ) {}

  /** The built-in models and aliases. */
  static builtIn(): ModelCatalog {
    return ModelCatalog.extendedWith({});
  }

  /**
   * The built-ins, then the operator's models (one with a built-in's id replaces it), then
   * the aliases: built-in, the models' own, the operator's map, each overriding the one
   * before. Throws when an alias names no model or hides a model's id.
   */
  static extendedWith(extension: ModelCatalogExtension): ModelCatalog {
    const parsed = modelCatalogExtensionSchema.parse(extension);
    const models = new Map<string, ModelSpec>(Object.entries(MODEL_CATALOG));
    const aliases = new Map<string, string>(Object.entries(BUILT_IN_ALIASES));
    for (const { id, aliases: own, ...spec } of parsed.models) {
      models.set(id, spec);
      for (const alias of own) {
        aliases.set(alias, id);
      }
    }
    for (const [alias, id] of Object.entries(parsed.aliases)) {
      aliases.set(alias, id);
    }
    for (const [alias, id] of aliases) {
      if (models.has(alias)) {
        throw new Error(`model catalog: the alias "${alias}" is also a model's id`);
      }
      if (!models.has(id)) {
        throw new Error(`model catalog: the alias "${alias}" names no model ("${id}")`);
      }
    }
    return new ModelCatalog(models, aliases);
  }

  /** Every model id, built-ins first, in the order they were added. */
  ids(): string[] {
    return [...this.models.keys()];
  }

  /** The model a name means: an id of the catalog, or an alias of one. */
  resolve(name: string): string | undefined {
    return this.models.has(name) ? name : this.aliases.get(name);
  }

  has(id: string): boolean {
    return this.models.has(id);
  }

  /** The spec of a model of the catalog (check with `has` or `resolve` first). */
  spec(id: string): ModelSpec {
    const spec = this.models.get(id);
    if (!spec) {
      throw new Error(`model catalog: no model "${id}"`);
    }
    return spec;
  }

  aliasesOf(id: string): string[] {
    return [...this.aliases].filter(([, target]) => target === id).map(([alias]) => alias);
  }
}

/** A built-in model's id or alias: an assistant's slug may not shadow one. */
export function isBuiltInModelName(name: string): boolean {
  return Object.hasOwn(MODEL_CATALOG, name) || Object.hasOwn(BUILT_IN_ALIASES, name);
}
