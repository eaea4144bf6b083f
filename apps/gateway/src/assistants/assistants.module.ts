import { Module } from '@nestjs/common';

import { AssistantsController, UsableAssistantsController } from './assistants.controller';

/** A tenant's assistants: their administration, and those a caller may chat with. */
@Module({ controllers: [AssistantsController, UsableAssistantsController] })
export class AssistantsModule {}
