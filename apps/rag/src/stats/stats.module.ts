import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { StatsHandler } from './stats.handler';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

@Module({
  imports: [DatabaseModule],
  controllers: [StatsHandler],
  providers: [StatsService, StatsRepository],
})
export class StatsModule {}
