import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import { loadModelCatalog, modelCatalogEnvSchema, withModelCatalog } from './model-catalog-config';

const llama = {
  id: 'llama-3.3-70b',
  provider: 'openai',
  context_window: 64_000,
  input_usd_per_million: 0.6,
  output_usd_per_million: 0.9,
  aliases: ['llama'],
};

function fileWith(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'models.json');
  writeFileSync(path, content);
  return path;
}

describe('the model catalog from configuration', () => {
  it('is the built-in models and aliases without configuration', () => {
    const catalog = loadModelCatalog({});
    expect(catalog.ids()).toEqual(
      expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-5', 'local-extractive']),
    );
    expect(catalog.resolve('gpt-3.5-turbo')).toBe('gpt-4o-mini');
    expect(catalog.resolve('gpt-imaginary')).toBeUndefined();
  });

  it('adds models from the file, then the variable, which overrides by id and alias', () => {
    const catalog = loadModelCatalog({
      MODEL_CATALOG_FILE: fileWith(JSON.stringify({ models: [llama] })),
      MODEL_CATALOG_JSON: JSON.stringify({
        models: [{ ...llama, input_usd_per_million: 0.5, aliases: [] }],
        aliases: { 'gpt-3.5-turbo': 'llama-3.3-70b' },
      }),
    });
    expect(catalog.spec('llama-3.3-70b')).toMatchObject({ input_usd_per_million: 0.5 });
    expect(catalog.resolve('llama')).toBe('llama-3.3-70b');
    expect(catalog.resolve('gpt-3.5-turbo')).toBe('llama-3.3-70b');
    // A built-in model can be repriced by the operator.
    const repriced = loadModelCatalog({
      MODEL_CATALOG_JSON: JSON.stringify({
        models: [{ ...llama, id: 'gpt-4o', aliases: [], input_usd_per_million: 2 }],
      }),
    });
    expect(repriced.spec('gpt-4o')).toMatchObject({ input_usd_per_million: 2 });
  });

  it('refuses a catalog that is not JSON, has a bad entry or a dangling alias', () => {
    expect(() => loadModelCatalog({ MODEL_CATALOG_JSON: '{models' })).toThrow(/not JSON/);
    expect(() =>
      loadModelCatalog({
        MODEL_CATALOG_JSON: JSON.stringify({ models: [{ ...llama, provider: 'mistral' }] }),
      }),
    ).toThrow(/MODEL_CATALOG_JSON.*provider/s);
    expect(() =>
      loadModelCatalog({ MODEL_CATALOG_JSON: JSON.stringify({ aliases: { x: 'nothing' } }) }),
    ).toThrow(/alias "x" names no model/);
    expect(() =>
      loadModelCatalog({
        MODEL_CATALOG_JSON: JSON.stringify({ aliases: { 'gpt-4o': 'gpt-4o-mini' } }),
      }),
    ).toThrow(/also a model's id/);
  });

  it('resolves configured model names, and names the variable of an unknown one', () => {
    const schema = modelCatalogEnvSchema
      .extend({ DEFAULT_MODEL: z.string().optional() })
      .transform(withModelCatalog(['DEFAULT_MODEL'] as const));
    expect(schema.parse({ DEFAULT_MODEL: 'gpt-3.5-turbo' }).DEFAULT_MODEL).toBe('gpt-4o-mini');
    const failed = schema.safeParse({ DEFAULT_MODEL: 'gpt-imaginary' });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.path).toEqual(['DEFAULT_MODEL']);
    const broken = schema.safeParse({ MODEL_CATALOG_JSON: '[' });
    expect(broken.error?.issues[0]?.path).toEqual(['MODEL_CATALOG_JSON']);
  });
});
