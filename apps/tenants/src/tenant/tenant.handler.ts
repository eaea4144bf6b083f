import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';

import {
  idParamSchema,
  paginationSchema,
  parseOrThrow,
  tenantCreateSchema,
  TENANTS,
  tenantUpdateSchema,
} from '@tenantbot/contracts';

import { callerOfMessage, tenantOfMessage } from '../security/caller';
import { TenantService } from './tenant.service';

const OWN_TENANT = 'me';
const tenantReference = z.object({ id: z.string() });
const updateMessage = z.object({ id: idParamSchema.shape.id, body: tenantUpdateSchema }).strict();
const updateOwnMessage = z.object({ id: z.literal(OWN_TENANT), body: z.unknown() });

@Controller()
export class TenantHandler {
  constructor(private readonly tenants: TenantService) {}

  @MessagePattern(TENANTS.TENANT_LIST)
  list(@Payload() query: unknown) {
    return this.tenants.list(callerOfMessage(), parseOrThrow(paginationSchema, query));
  }

  @MessagePattern(TENANTS.TENANT_CREATE)
  create(@Payload() body: unknown) {
    return this.tenants.create(callerOfMessage(), parseOrThrow(tenantCreateSchema, body));
  }

  @MessagePattern(TENANTS.TENANT_GET)
  get(@Payload() message: unknown) {
    const { id } = parseOrThrow(tenantReference, message);
    if (id === OWN_TENANT) {
      return this.tenants.getOwn(callerOfMessage());
    }
    return this.tenants.get(callerOfMessage(), parseOrThrow(idParamSchema, { id }).id);
  }

  @MessagePattern(TENANTS.TENANT_UPDATE)
  update(@Payload() message: unknown) {
    const own = updateOwnMessage.safeParse(message);
    if (own.success) {
      return this.tenants.updateOwn(
        callerOfMessage(),
        parseOrThrow(tenantUpdateSchema, own.data.body),
      );
    }
    const { id, body } = parseOrThrow(updateMessage, message);
    return this.tenants.update(callerOfMessage(), id, body);
  }

  @MessagePattern(TENANTS.TENANT_DELETE)
  async delete(@Payload() message: unknown) {
    await this.tenants.delete(callerOfMessage(), parseOrThrow(idParamSchema, message).id);
    return { deleted: true };
  }

  @MessagePattern(TENANTS.TENANT_RUNTIME_CONFIG)
  runtimeConfig() {
    return this.tenants.runtimeConfig(tenantOfMessage());
  }
}
