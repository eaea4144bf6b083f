import { Module } from '@nestjs/common';

import { AdminController } from './admin.controller';

/** Usage and statistics reports (the admin service's). */
@Module({ controllers: [AdminController] })
export class AdminModule {}
