import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { lastValueFrom } from 'rxjs';

import type { Caller, TenantRuntimeConfig } from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';
import { type BudgetEstimate, type Reservation, TokenBudget } from '@tenantbot/rate-limit';
import { RedisStreamsClient } from '@tenantbot/transport';

import { costInMicroUsd } from '../models/cost';
import type { RouteStep } from '../models/model-policy';
import type { LlmUsage } from '../providers/llm-provider';
import { CHAT_LOGGER } from '../tokens';

/** Emitted when a reservation crosses a budget's soft threshold (80% of it). */
export const BUDGET_ALERT_EVENT = 'budget.alert';

export interface BudgetAlertEvent {
  tenantId: string;
  /** The webhook event's id: a redelivered transport event reaches an endpoint once. */
  eventId: string;
  budget: NonNullable<Reservation['alert']>['budget'];
  used_fraction: number;
}

/** What an exchange spent, as its usage record says. */
export interface ExchangeSpend {
  step: RouteStep;
  usage: LlmUsage;
  costMicros: number;
}

const NOTHING: BudgetEstimate = { tokens: 0, micro_usd: 0 };

/**
 * The tenant's token budget per UTC day and spending budget per UTC month, applied to one
 * exchange: the most it may use is reserved before any provider is called (BUDGET_EXCEEDED
 * when it does not fit), and replaced by what it spent afterwards. The local responder costs
 * nothing and uses no budget.
 */
@Injectable()
export class BudgetService {
  constructor(
    private readonly budget: TokenBudget,
    private readonly transport: RedisStreamsClient,
    @Inject(CHAT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Reserves the prompt plus max_tokens at the chosen model's prices; none for the local model. */
  async reserve(
    caller: Caller,
    limits: TenantRuntimeConfig['rate_limits'],
    chosen: RouteStep,
    usage: { promptTokens: number; maxTokens: number },
  ): Promise<Reservation | undefined> {
    if (chosen.spec.provider === 'local') {
      return undefined;
    }
    const reservation = await this.budget.reserve(
      caller.tenantId,
      {
        tokens_per_day: limits.tokens_per_day,
        monthly_budget_usd: limits.monthly_budget_usd,
      },
      {
        tokens: usage.promptTokens + usage.maxTokens,
        micro_usd: costInMicroUsd(chosen.spec, {
          inputTokens: usage.promptTokens,
          outputTokens: usage.maxTokens,
        }),
      },
    );
    if (reservation.alert) {
      await this.announce({
        tenantId: caller.tenantId,
        eventId: randomUUID(),
        ...reservation.alert,
      });
    }
    return reservation;
  }

  /** Replaces the reservation with what was spent (nothing when the local responder answered). */
  async settle(
    caller: Caller,
    reservation: Reservation | undefined,
    spend: ExchangeSpend,
  ): Promise<void> {
    if (!reservation) {
      return;
    }
    const spent =
      spend.step.spec.provider === 'local'
        ? NOTHING
        : {
            tokens: spend.usage.inputTokens + spend.usage.outputTokens,
            micro_usd: spend.costMicros,
          };
    try {
      await this.budget.settle(reservation, spent);
    } catch (error) {
      // The answer is out already; the reservation stays counted until the day or month ends.
      this.logger.error(
        { err: error, tenantId: caller.tenantId, requestId: caller.requestId },
        'settling the budget reservation failed',
      );
    }
  }

  /** The soft-alert threshold, recorded as an event for whoever watches budgets, and logged. */
  private async announce(alert: BudgetAlertEvent): Promise<void> {
    this.logger.warn(alert, `tenant crossed the alert threshold of its ${alert.budget}`);
    try {
      await lastValueFrom(this.transport.emit(BUDGET_ALERT_EVENT, alert), {
        defaultValue: undefined,
      });
    } catch (error) {
      this.logger.error({ err: error, ...alert }, 'emitting budget.alert failed');
    }
  }
}
