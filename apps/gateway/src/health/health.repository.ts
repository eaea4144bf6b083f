import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';

import { appConnectionUrl } from '@tenantbot/database';

import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/** The gateway's one statement: whether Postgres answers, as the app role, on a pool of two. */
@Injectable()
export class HealthRepository implements OnModuleDestroy {
  private readonly postgres: Pool;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.postgres = new Pool({ connectionString: appConnectionUrl(config), max: 2 });
    this.postgres.on('error', () => undefined);
  }

  async ping(): Promise<void> {
    await this.postgres.query('SELECT 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.postgres.end();
  }
}
