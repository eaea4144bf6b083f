import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

import type { Logger } from '@tenantbot/observability';
import { TokenBudget } from '@tenantbot/rate-limit';

import type { ChatConfig } from '../config';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';
import { BudgetService } from './budget.service';

/** The tenants' token and spending budgets live in Redis, under the deployment's prefix. */
@Module({
  providers: [
    {
      provide: Redis,
      inject: [CHAT_CONFIG, CHAT_LOGGER],
      useFactory: (config: ChatConfig, logger: Logger) => {
        const redis = new Redis(config.REDIS_URL, {
          ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
          connectionName: 'chat:budgets',
          maxRetriesPerRequest: 1,
        });
        redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
        return redis;
      },
    },
    {
      provide: TokenBudget,
      inject: [Redis, CHAT_CONFIG],
      useFactory: (redis: Redis, config: ChatConfig) => new TokenBudget(redis, config.REDIS_PREFIX),
    },
    BudgetService,
  ],
  exports: [BudgetService],
})
export class BudgetModule implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
