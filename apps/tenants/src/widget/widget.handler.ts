import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';

import {
  authenticateVisitorRequestSchema,
  idParamSchema,
  openWidgetRequestSchema,
  originKnownRequestSchema,
  parseOrThrow,
  tenantIdOf,
  widgetCreateSchema,
  WIDGETS,
  widgetUpdateSchema,
} from '@tenantbot/contracts';

import { callerOfMessage } from '../security/caller';
import { WidgetService } from './widget.service';

const updateMessage = z.object({ id: idParamSchema.shape.id, body: z.unknown() }).strict();

/** The web channel: its admins' widget management, and browsers opening a widget. */
@Controller()
export class WidgetHandler {
  constructor(private readonly widgets: WidgetService) {}

  @MessagePattern(WIDGETS.LIST)
  list() {
    return this.widgets.list(callerOfMessage());
  }

  @MessagePattern(WIDGETS.CREATE)
  create(@Payload() body: unknown) {
    return this.widgets.create(callerOfMessage(), parseOrThrow(widgetCreateSchema, body));
  }

  @MessagePattern(WIDGETS.GET)
  get(@Payload() message: unknown) {
    return this.widgets.get(callerOfMessage(), parseOrThrow(idParamSchema, message).id);
  }

  @MessagePattern(WIDGETS.UPDATE)
  update(@Payload() message: unknown) {
    const { id, body } = parseOrThrow(updateMessage, message);
    return this.widgets.update(callerOfMessage(), id, parseOrThrow(widgetUpdateSchema, body));
  }

  @MessagePattern(WIDGETS.DELETE)
  async delete(@Payload() message: unknown) {
    await this.widgets.delete(callerOfMessage(), parseOrThrow(idParamSchema, message).id);
    return { deleted: true };
  }

  /** Public: a browser with the widget's key, checked against its origin. */
  @MessagePattern(WIDGETS.OPEN)
  open(@Payload() message: unknown) {
    const { key, origin } = parseOrThrow(openWidgetRequestSchema, message);
    return this.widgets.open(key, origin);
  }

  /** The gateway, for each request of a visitor token it verified. */
  @MessagePattern(WIDGETS.AUTHENTICATE_VISITOR)
  authenticateVisitor(@Payload() message: unknown) {
    const { widget_id, tenant_id } = parseOrThrow(authenticateVisitorRequestSchema, message);
    return this.widgets.authenticateVisitor(widget_id, tenantIdOf(tenant_id));
  }

  /** The gateway's CORS: whether any active tenant or widget allows the origin. */
  @MessagePattern(WIDGETS.ORIGIN_KNOWN)
  async originKnown(@Payload() message: unknown) {
    return {
      known: await this.widgets.originKnown(parseOrThrow(originKnownRequestSchema, message).origin),
    };
  }
}
