import { Module } from '@nestjs/common';

import { UsersController } from './users.controller';

/** A tenant's users (the tenants service's). */
@Module({ controllers: [UsersController] })
export class UsersModule {}
