import type { LlmProviderName } from '@tenantbot/contracts';

/** Why a provider could not answer; every one of them moves the request down the chain. */
export type ProviderFailure =
  | 'timeout'
  | 'rate_limited'
  | 'server_error'
  | 'unreachable'
  /** A 4xx other than 429: a bad or revoked key, an unknown model. */
  | 'rejected'
  | 'not_configured'
  | 'unexpected';

export class ProviderError extends Error {
  constructor(
    readonly provider: LlmProviderName,
    readonly failure: ProviderFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The caller went away (unsubscribed from the stream): no fallback, nothing more to send. */
export class ExchangeCancelled extends Error {
  constructor() {
    super('the caller cancelled the exchange');
    this.name = 'ExchangeCancelled';
  }
}

/** Maps an SDK's HTTP status to a failure. */
export function failureOfStatus(status: number): ProviderFailure {
  if (status === 429) {
    return 'rate_limited';
  }
  if (status === 408) {
    return 'timeout';
  }
  if (status >= 500) {
    return 'server_error';
  }
  return 'rejected';
}
