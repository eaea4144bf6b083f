import { Module } from '@nestjs/common';

import { MetricsAccess } from './metrics-access';
import { PlatformController } from './platform.controller';

/** What the platform says of itself: its information, liveness and Prometheus metrics. */
@Module({ controllers: [PlatformController], providers: [MetricsAccess] })
export class PlatformModule {}
