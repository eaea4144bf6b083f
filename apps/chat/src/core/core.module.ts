import { type DynamicModule, Global, Module } from '@nestjs/common';

import { DatabaseModule, databaseOptionsFrom } from '@tenantbot/database';
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
 * tokens), the tenant-scoped database and the transport client. Answers the ping.
 */
@Global()
@Module({})
export class CoreModule {
  static register(config: ChatConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        DatabaseModule.forRoot(databaseOptionsFrom(config, 'tenantbot-chat')),
        TransportClientModule.register({ name: 'chat', ...transportOptionsFrom(config), logger }),
      ],
      controllers: [pingControllerFor('chat')],
      providers: [
        { provide: CHAT_CONFIG, useValue: config },
        { provide: CHAT_LOGGER, useValue: logger },
      ],
      exports: [CHAT_CONFIG, CHAT_LOGGER],
    };
  }
}
