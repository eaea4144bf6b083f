import { Module } from '@nestjs/common';

import { PlatformViewsController } from './platform-views.controller';
import { PlatformViewsService } from './platform-views.service';

/** The super admin's views across companies: all documents, all agents. */
@Module({ controllers: [PlatformViewsController], providers: [PlatformViewsService] })
export class PlatformViewsModule {}
