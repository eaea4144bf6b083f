import { type DynamicModule, Global, Module } from '@nestjs/common';

import type { Logger } from '@tenantbot/observability';
import { TransportClientModule, transportOptionsFrom } from '@tenantbot/transport';

import type { AdminConfig } from '../config';

/** What every feature of the admin service may inject: the transport client to the services. */
@Global()
@Module({})
export class CoreModule {
  static register(config: AdminConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TransportClientModule.register({ name: 'admin', ...transportOptionsFrom(config), logger }),
      ],
    };
  }
}
