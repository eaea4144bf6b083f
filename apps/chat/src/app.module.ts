import { Module } from '@nestjs/common';
import { pingControllerFor } from '@tenantbot/transport';

@Module({ controllers: [pingControllerFor('chat')] })
export class ChatModule {}
