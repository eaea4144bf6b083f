import { Module } from '@nestjs/common';

import { UsageHandler } from './usage.handler';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

@Module({
  controllers: [UsageHandler],
  providers: [UsageRepository, UsageService],
})
export class UsageModule {}
