import { Module } from '@nestjs/common';

import { ConsoleController } from './console.controller';

/** The web console's static files (apps/console, built into dist/console). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
