import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { ModelCatalog, modelCatalogExtensionSchema } from '@tenantbot/contracts';

/**
 * Where an operator extends the model catalog without a release: a JSON file, and/or the
 * same JSON inline (`{"models": [{id, provider, context_window, input_usd_per_million,
 * output_usd_per_million, aliases?}], "aliases": {"gpt-3.5-turbo": "…"}}`). The file's
 * models and aliases come first, the variable's after (overriding by id and alias).
 */
export const modelCatalogEnvSchema = z.object({
  MODEL_CATALOG_FILE: z
    .string()
    .optional()
    .transform((value) => value || undefined),
  MODEL_CATALOG_JSON: z
    .string()
    .optional()
    .transform((value) => value || undefined),
});
export type ModelCatalogEnv = Partial<z.output<typeof modelCatalogEnvSchema>>;

/** The catalog the configuration describes; throws naming the source of a mistake. */
export function loadModelCatalog(env: ModelCatalogEnv): ModelCatalog {
  const sources = [
    env.MODEL_CATALOG_FILE && {
      name: `MODEL_CATALOG_FILE (${env.MODEL_CATALOG_FILE})`,
      text: readFileSync(env.MODEL_CATALOG_FILE, 'utf8'),
    },
    env.MODEL_CATALOG_JSON && { name: 'MODEL_CATALOG_JSON', text: env.MODEL_CATALOG_JSON },
  ].filter((source): source is { name: string; text: string } => Boolean(source));
  const extension = { models: [] as unknown[], aliases: {} as Record<string, unknown> };
  for (const source of sources) {
    const parsed = modelCatalogExtensionSchema.safeParse(parseJson(source.name, source.text));
    if (!parsed.success) {
      throw new Error(`${source.name}: ${z.prettifyError(parsed.error)}`);
    }
    extension.models.push(...parsed.data.models);
    Object.assign(extension.aliases, parsed.data.aliases);
  }
  return ModelCatalog.extendedWith(modelCatalogExtensionSchema.parse(extension));
}

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(
      `${source}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * The config with its model catalog (`modelCatalog`), and the configured model names of
 * `fields` resolved in it (an alias becomes its model's id); a catalog that does not load or
 * a name it does not know is an issue of the variable that says it.
 */
export function withModelCatalog<C extends ModelCatalogEnv, F extends keyof C & string>(
  fields: readonly F[],
) {
  return (config: C, context: z.RefinementCtx): C & { modelCatalog: ModelCatalog } => {
    let modelCatalog: ModelCatalog;
    try {
      modelCatalog = loadModelCatalog(config);
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: [config.MODEL_CATALOG_FILE ? 'MODEL_CATALOG_FILE' : 'MODEL_CATALOG_JSON'],
        message: error instanceof Error ? error.message : String(error),
      });
      return z.NEVER;
    }
    const resolved: Partial<Record<F, string>> = {};
    for (const field of fields) {
      const name = config[field];
      if (typeof name !== 'string') {
        continue;
      }
      const id = modelCatalog.resolve(name);
      if (id) {
        resolved[field] = id;
      } else {
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `must be a model of the catalog (${modelCatalog.ids().join(', ')})`,
        });
      }
    }
    return { ...config, ...resolved, modelCatalog };
  };
}
