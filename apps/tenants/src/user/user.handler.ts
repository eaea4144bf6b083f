import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';

import {
  idParamSchema,
  paginationSchema,
  parseOrThrow,
  TENANTS,
  userCreateSchema,
  userUpdateSchema,
} from '@tenantbot/contracts';

import { callerOfMessage } from '../security/caller';
import { UserService } from './user.service';

const updateMessage = z.object({ id: idParamSchema.shape.id, body: userUpdateSchema }).strict();

@Controller()
export class UserHandler {
  constructor(private readonly users: UserService) {}

  @MessagePattern(TENANTS.USER_LIST)
  list(@Payload() query: unknown) {
    return this.users.list(callerOfMessage(), parseOrThrow(paginationSchema, query));
  }

  @MessagePattern(TENANTS.USER_CREATE)
  create(@Payload() body: unknown) {
    return this.users.create(callerOfMessage(), parseOrThrow(userCreateSchema, body));
  }

  @MessagePattern(TENANTS.USER_GET)
  get(@Payload() message: unknown) {
    return this.users.get(callerOfMessage(), parseOrThrow(idParamSchema, message).id);
  }

  @MessagePattern(TENANTS.USER_UPDATE)
  update(@Payload() message: unknown) {
    const { id, body } = parseOrThrow(updateMessage, message);
    return this.users.update(callerOfMessage(), id, body);
  }

  @MessagePattern(TENANTS.USER_DELETE)
  async delete(@Payload() message: unknown) {
    await this.users.delete(callerOfMessage(), parseOrThrow(idParamSchema, message).id);
    return { deleted: true };
  }
}
