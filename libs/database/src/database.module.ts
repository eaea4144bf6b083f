import { type DynamicModule, Module } from '@nestjs/common';

import type { DatabaseOptions } from './database-options';
import { DATABASE_OPTIONS } from './database-options.token';
import { PlatformScope } from './platform-scope';
import { TenantDatabase } from './tenant-database';

/**
 * The app role's `TenantDatabase`, for every module of the app: import
 * `DatabaseModule.forRoot(databaseOptionsFrom(config, 'tenantbot-chat'))` once, in the app module.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [{ provide: DATABASE_OPTIONS, useValue: options }, TenantDatabase],
      exports: [DATABASE_OPTIONS, TenantDatabase],
    };
  }
}

/**
 * `PlatformScope`, the cross-tenant bypass: imported only by the feature modules that truly
 * cross tenants (authentication, tenant resolution by slug or Host, the super admin's views).
 * Needs `DatabaseModule.forRoot` in the app.
 */
@Module({
  providers: [PlatformScope],
  exports: [PlatformScope],
})
export class PlatformDatabaseModule {}
