import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { appConnectionUrl, createDataSource, TenantScope } from '@tenantbot/database';
import { DataSource } from 'typeorm';
import type { RagConfig } from '../config/rag-config';
import { RAG_CONFIG } from '../config/tokens';

/** The app role's connection pool and the tenant scope every repository queries through. */
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [RAG_CONFIG],
      useFactory: (config: RagConfig) =>
        createDataSource({
          url: appConnectionUrl(config),
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'tenantbot-rag',
        }).initialize(),
    },
    {
      provide: TenantScope,
      inject: [DataSource],
      useFactory: (db: DataSource) => new TenantScope(db),
    },
  ],
  exports: [TenantScope],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dataSource.destroy().catch(() => undefined);
  }
}
