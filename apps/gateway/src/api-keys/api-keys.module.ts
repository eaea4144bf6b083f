import { Module } from '@nestjs/common';

import { ApiKeysController } from './api-keys.controller';

/** A tenant's API keys (the tenants service's). */
@Module({ controllers: [ApiKeysController] })
export class ApiKeysModule {}
