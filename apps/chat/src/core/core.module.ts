import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import type { Logger } from '@tenantbot/observability';
import {
  pingControllerFor,
  TransportClientModule,
  transportOptionsFrom,
} from '@tenantbot/transport';

import type { ChatConfig } from '../config';
import { CHAT_CONFIG, CHAT_LOGGER } from '../tokens';

/**
 * What every feature of the chat service may inject: its configuration and logger (typed
 * tokens), the database (tenant-scoped) and the transport client. Answers the ping.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  static register(config: ChatConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TransportClientModule.register({ name: 'chat', ...transportOptionsFrom(config), logger }),
      ],
      controllers: [pingControllerFor('chat')],
      providers: [
        { provide: CHAT_CONFIG, useValue: config },
        { provide: CHAT_LOGGER, useValue: logger },
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
      ],
      exports: [CHAT_CONFIG, CHAT_LOGGER, DataSource, TenantScope],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dataSource.destroy();
  }
}
