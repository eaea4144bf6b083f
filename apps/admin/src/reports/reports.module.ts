import { Module } from '@nestjs/common';

import { ReportsHandler } from './reports.handler';
import { ReportsService } from './reports.service';

/** Usage and statistics for tenant admins and the super admin, gathered over the transport. */
@Module({ controllers: [ReportsHandler], providers: [ReportsService] })
export class ReportsModule {}
