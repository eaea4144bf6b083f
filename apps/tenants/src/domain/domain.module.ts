import { Module } from '@nestjs/common';

import { PlatformDatabaseModule } from '@tenantbot/database';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { DnsTxtVerifier } from './dns-txt-verifier';
import { DomainHandler } from './domain.handler';
import { DomainRepository } from './domain.repository';
import { DomainService } from './domain.service';
import { DomainClaims } from './domain-claims';
import { DomainPolicy } from './domain-policy';

/** Custom domains: claiming them with a tenant's settings, and verifying them by DNS. */
@Module({
  // Whether another tenant holds a domain verified is a question across tenants.
  imports: [PlatformDatabaseModule],
  controllers: [DomainHandler],
  providers: [
    DomainService,
    DomainClaims,
    DomainRepository,
    DnsTxtVerifier,
    {
      provide: DomainPolicy,
      useFactory: (config: TenantsConfig) => DomainPolicy.fromConfig(config),
      inject: [TENANTS_CONFIG],
    },
  ],
  exports: [DomainClaims],
})
export class DomainModule {}
