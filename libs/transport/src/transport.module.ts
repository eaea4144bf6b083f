import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';

import type { StreamsTransportOptions } from './options';
import { RedisStreamsClient } from './streams.client';

/**
 * Provides the process's one `RedisStreamsClient`, connected at start-up and closed on
 * shutdown. Inject it by its class.
 */
@Module({})
export class TransportClientModule implements OnApplicationShutdown {
  constructor(@Inject(RedisStreamsClient) private readonly client: RedisStreamsClient) {}

  static register(options: StreamsTransportOptions & { name: string }): DynamicModule {
    return {
      module: TransportClientModule,
      global: true,
      providers: [
        {
          provide: RedisStreamsClient,
          useFactory: async () => {
            const client = new RedisStreamsClient(options);
            await client.connect();
            return client;
          },
        },
      ],
      exports: [RedisStreamsClient],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
