import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';
import { of } from 'rxjs';

import { type Caller, MODEL_CATALOG, tenantIdOf } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import type { Reservation, TokenBudget } from '@tenantbot/rate-limit';
import type { RedisStreamsClient } from '@tenantbot/transport';

import type { RouteStep } from '../models/model-policy';
import { BudgetService } from './budget.service';

const CALLER: Caller = {
  requestId: 'r-1',
  tenantId: tenantIdOf(randomUUID()),
  role: 'user',
  userId: 'u-1',
};
const MINI: RouteStep = { model: 'gpt-4o-mini', spec: MODEL_CATALOG['gpt-4o-mini'] };
const LOCAL: RouteStep = { model: 'local-extractive', spec: MODEL_CATALOG['local-extractive'] };

function serviceWithFakes(reservation: Partial<Reservation> = {}) {
  const budget = {
    reserve: jest.fn<TokenBudget['reserve']>((tenantId, _limits, estimate) =>
      Promise.resolve({ tenantId, dayKey: 'd', monthKey: 'm', reserved: estimate, ...reservation }),
    ),
    settle: jest.fn<TokenBudget['settle']>(() => Promise.resolve()),
  };
  const transport = { emit: jest.fn((_pattern: string, _data: unknown) => of(undefined)) };
  const logger = { warn: jest.fn(), error: jest.fn() };
  const service = new BudgetService(
    budget as unknown as TokenBudget,
    transport as unknown as RedisStreamsClient,
    logger as unknown as Logger,
  );
  return { service, budget, transport, logger };
}

describe('BudgetService', () => {
  it('reserves the prompt plus max_tokens at the chosen model’s prices, for the caller’s tenant', async () => {
    const { service, budget } = serviceWithFakes();
    await service.reserve(CALLER, { tokens_per_day: 5000 }, MINI, {
      promptTokens: 1000,
      maxTokens: 500,
    });
    expect(budget.reserve).toHaveBeenCalledWith(
      CALLER.tenantId,
      { tokens_per_day: 5000, monthly_budget_usd: undefined },
      { tokens: 1500, micro_usd: 450 },
    );
  });

  it('reserves nothing for the local responder', async () => {
    const { service, budget } = serviceWithFakes();
    const reservation = await service.reserve(CALLER, {}, LOCAL, { promptTokens: 1, maxTokens: 1 });
    expect(reservation).toBeUndefined();
    expect(budget.reserve).not.toHaveBeenCalled();
  });

  it('announces a crossed alert threshold as a budget.alert event', async () => {
    const alert = { budget: 'tokens_per_day', used_fraction: 0.85 } as const;
    const { service, transport } = serviceWithFakes({ alert });
    await service.reserve(CALLER, {}, MINI, { promptTokens: 1, maxTokens: 1 });
    expect(transport.emit).toHaveBeenCalledWith('budget.alert', {
      tenantId: CALLER.tenantId,
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...alert,
    });
  });

  it('settles with what was spent, and only logs when settling fails', async () => {
    const { service, budget, logger } = serviceWithFakes();
    const reservation = await service.reserve(CALLER, {}, MINI, {
      promptTokens: 10,
      maxTokens: 10,
    });
    budget.settle.mockRejectedValueOnce(new Error('redis down'));
    await service.settle(CALLER, reservation, {
      step: MINI,
      usage: { inputTokens: 10, outputTokens: 2 },
      costMicros: 3,
    });
    expect(budget.settle.mock.calls[0]).toEqual([reservation, { tokens: 12, micro_usd: 3 }]);
    expect(logger.error).toHaveBeenCalled();
  });
});
