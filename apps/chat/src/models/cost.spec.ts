import { describe, expect, it } from '@jest/globals';

import { MODEL_CATALOG } from '@tenantbot/contracts';

import { costInMicroUsd, decimalUsd, usdOfMicros } from './cost';

describe('cost', () => {
  it.each([
    // 1234 × 0.15 + 567 × 0.60 = 525.3 micro-dollars
    ['gpt-4o-mini', 1234, 567, 525, '0.000525'],
    // 1234 × 0.80 + 567 × 4.00 = 3255.2
    ['claude-3-5-haiku-latest', 1234, 567, 3255, '0.003255'],
    // 1_000_000 × 2.50 + 1_000_000 × 10.00 = $12.50 exactly
    ['gpt-4o', 1_000_000, 1_000_000, 12_500_000, '12.500000'],
    // 1 × 3.00 + 1 × 15.00 = 18
    ['claude-sonnet-4-5', 1, 1, 18, '0.000018'],
    // 3 × 0.15 = 0.45 → 0; 10 × 0.15 = 1.5 → 2 (half up)
    ['gpt-4o-mini', 3, 0, 0, '0.000000'],
    ['gpt-4o-mini', 10, 0, 2, '0.000002'],
    ['local-extractive', 50_000, 9_000, 0, '0.000000'],
  ] as const)('%s, %i in, %i out', (model, input, output, micros, decimal) => {
    const cost = costInMicroUsd(MODEL_CATALOG[model], { inputTokens: input, outputTokens: output });
    expect(cost).toBe(micros);
    expect(decimalUsd(cost)).toBe(decimal);
    expect(usdOfMicros(cost)).toBe(Number(decimal));
  });

  it('rounds once, at the end, not per side', () => {
    // 3 × 0.15 + 1 × 0.10 = 0.55 micro-dollars → 1; rounding each side first would give 0 + 0.
    const spec = { input_usd_per_million: 0.15, output_usd_per_million: 0.1 };
    expect(costInMicroUsd(spec, { inputTokens: 3, outputTokens: 1 })).toBe(1);
  });

  it('returns the amount rounded to micro-dollars, unlike naive float arithmetic', () => {
    const naive = (1234 * 0.15) / 1e6 + (567 * 0.6) / 1e6;
    expect(naive).not.toBe(0.000525);
    expect(
      usdOfMicros(
        costInMicroUsd(MODEL_CATALOG['gpt-4o-mini'], { inputTokens: 1234, outputTokens: 567 }),
      ),
    ).toBe(0.000525);
  });
});
