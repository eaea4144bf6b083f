import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { LOCAL_MODEL } from '@tenantbot/contracts';
import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import { TokenBudget } from '@tenantbot/rate-limit';
import {
  pingControllerFor,
  TransportClientModule,
  transportOptionsFrom,
} from '@tenantbot/transport';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ExchangeBudget } from './budget/exchange-budget';
import { ChatController } from './chat/chat.controller';
import { ChatService } from './chat/chat.service';
import { ExchangeRecorder } from './chat/exchange-recorder';
import { ExchangeRepository } from './chat/exchange.repository';
import type { ChatConfig } from './config';
import { ConversationController } from './conversation/conversation.controller';
import { ConversationRepository } from './conversation/conversation.repository';
import { ConversationService } from './conversation/conversation.service';
import type { PlatformModelSettings } from './models/model-policy';
import { PromptAssembler } from './prompt/prompt-assembler';
import { TokenCounter } from './prompt/token-counter';
import { AnthropicChatProvider } from './providers/anthropic-chat.provider';
import { LocalExtractiveProvider } from './providers/local-extractive.provider';
import { OpenAIChatProvider } from './providers/openai-chat.provider';
import { ProviderRouter } from './providers/provider-router';
import { ContextRetriever } from './retrieval/context-retriever';
import { TenantDirectory } from './tenant/tenant-directory';
import { CHAT_CONFIG, CHAT_LOGGER, PLATFORM_MODELS } from './tokens';
import { UsageController } from './usage/usage.controller';
import { UsageRepository } from './usage/usage.repository';
import { UsageService } from './usage/usage.service';

function infrastructure(config: ChatConfig): Provider[] {
  return [
    {
      provide: DataSource,
      useFactory: () =>
        createDataSource({
          url: appConnectionUrl(config),
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'tenantbot-chat',
        }).initialize(),
    },
    {
      provide: TenantScope,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new TenantScope(dataSource),
    },
  ];
}

/** The tenants' token and spending budgets live in Redis, under the deployment's prefix. */
function budgets(config: ChatConfig, logger: Logger): Provider[] {
  return [
    {
      provide: Redis,
      useFactory: () => {
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
      inject: [Redis],
      useFactory: (redis: Redis) => new TokenBudget(redis, config.REDIS_PREFIX),
    },
    ExchangeBudget,
  ];
}

function models(config: ChatConfig, logger: Logger): Provider[] {
  const platform: PlatformModelSettings = {
    keys: { openai: config.OPENAI_API_KEY, anthropic: config.ANTHROPIC_API_KEY },
    providerModels: {
      openai: config.OPENAI_CHAT_MODEL,
      anthropic: config.ANTHROPIC_CHAT_MODEL,
      local: LOCAL_MODEL,
    },
    defaultModel: config.CHAT_DEFAULT_MODEL,
    fallbackChain: config.CHAT_FALLBACK_CHAIN,
  };
  const timeoutMs = config.CHAT_PROVIDER_TIMEOUT_MS;
  return [
    { provide: PLATFORM_MODELS, useValue: platform },
    { provide: TokenCounter, useFactory: () => new TokenCounter() },
    {
      provide: PromptAssembler,
      inject: [TokenCounter],
      useFactory: (tokens: TokenCounter) => new PromptAssembler(tokens),
    },
    {
      provide: ProviderRouter,
      useFactory: () =>
        new ProviderRouter(
          {
            openai: new OpenAIChatProvider({ baseURL: config.OPENAI_BASE_URL, timeoutMs }),
            anthropic: new AnthropicChatProvider({ baseURL: config.ANTHROPIC_BASE_URL, timeoutMs }),
            local: new LocalExtractiveProvider(),
          },
          timeoutMs,
          logger,
        ),
    },
  ];
}

/**
 * The chat service: conversations, LLM providers with fallback, prompt assembly, streaming,
 * usage records. Calls the tenants service for the tenant's settings and rag for context.
 */
@Module({})
export class ChatModule implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Redis) private readonly redis: Redis,
  ) {}

  static register(config: ChatConfig, logger: Logger): DynamicModule {
    return {
      module: ChatModule,
      imports: [
        TransportClientModule.register({
          name: 'chat',
          ...transportOptionsFrom(config),
          logger,
        }),
      ],
      controllers: [
        pingControllerFor('chat'),
        ChatController,
        ConversationController,
        UsageController,
      ],
      providers: [
        { provide: CHAT_CONFIG, useValue: config },
        { provide: CHAT_LOGGER, useValue: logger },
        ...infrastructure(config),
        ...models(config, logger),
        ...budgets(config, logger),
        TenantDirectory,
        ContextRetriever,
        ConversationRepository,
        UsageRepository,
        ConversationService,
        ExchangeRepository,
        ExchangeRecorder,
        ChatService,
        UsageService,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
    await this.dataSource.destroy();
  }
}
