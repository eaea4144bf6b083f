import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';

import { TENANTS } from '@tenantbot/contracts';

import { callerOfMessage } from '../security/caller';
import { StatsService } from './stats.service';

@Controller()
export class StatsHandler {
  constructor(private readonly statistics: StatsService) {}

  @MessagePattern(TENANTS.STATS)
  stats() {
    return this.statistics.stats(callerOfMessage());
  }
}
