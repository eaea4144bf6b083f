import type { ModelSpec } from '@tenantbot/contracts';

import type { LlmUsage } from '../providers/llm-provider';

const MILLION = 1_000_000;

/**
 * The cost of an exchange in whole micro-dollars (1e-6 USD, the precision of `cost_usd`).
 * Prices become integer micro-dollars per million tokens, so tokens × price is an exact
 * integer (in 1e-12 USD) and the only rounding is the final one, half up.
 */
export function costInMicroUsd(
  spec: Pick<ModelSpec, 'input_usd_per_million' | 'output_usd_per_million'>,
  usage: LlmUsage,
): number {
  const picoUsd =
    usage.inputTokens * microUsd(spec.input_usd_per_million) +
    usage.outputTokens * microUsd(spec.output_usd_per_million);
  return Math.round(picoUsd / MILLION);
}

/** The API's `cost_usd`: micro-dollars as a number with at most 6 decimals. */
export function usdOfMicros(micros: number): number {
  return Number(decimalUsd(micros));
}

/** Micro-dollars as the exact decimal a `numeric(12,6)` column stores. */
export function decimalUsd(micros: number): string {
  const whole = Math.floor(micros / MILLION);
  return `${whole}.${String(micros - whole * MILLION).padStart(6, '0')}`;
}

function microUsd(usd: number): number {
  return Math.round(usd * MILLION);
}
