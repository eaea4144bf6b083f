import { Module } from '@nestjs/common';

import { TenantConfigModule } from '../tenant-config/tenant-config.module';
import { ModelsHandler } from './models.handler';
import { ModelsService } from './models.service';

@Module({
  imports: [TenantConfigModule],
  controllers: [ModelsHandler],
  providers: [ModelsService],
  exports: [ModelsService],
})
export class ModelsModule {}
