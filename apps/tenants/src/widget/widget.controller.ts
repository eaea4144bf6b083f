import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  WIDGETS,
  authenticateVisitorRequestSchema,
  idParamSchema,
  openWidgetRequestSchema,
  originKnownRequestSchema,
  parseOrThrow,
  widgetCreateSchema,
  widgetUpdateSchema,
} from '@tenantbot/contracts';
import { z } from 'zod';
import { WidgetService } from './widget.service';

const updateMessage = z.object({ id: idParamSchema.shape.id, body: z.unknown() }).strict();

/** The web channel's message handlers: validate, then one service call each. */
@Controller()
export class WidgetController {
  constructor(@Inject(WidgetService) private readonly widgets: WidgetService) {}

  @MessagePattern(WIDGETS.LIST)
  list() {
    return this.widgets.list();
  }

  @MessagePattern(WIDGETS.CREATE)
  create(@Payload() body: unknown) {
    return this.widgets.create(parseOrThrow(widgetCreateSchema, body));
  }

  @MessagePattern(WIDGETS.GET)
  get(@Payload() message: unknown) {
    return this.widgets.get(parseOrThrow(idParamSchema, message).id);
  }

  @MessagePattern(WIDGETS.UPDATE)
  update(@Payload() message: unknown) {
    const { id, body } = parseOrThrow(updateMessage, message);
    return this.widgets.update(id, parseOrThrow(widgetUpdateSchema, body));
  }

  @MessagePattern(WIDGETS.DELETE)
  async delete(@Payload() message: unknown) {
    await this.widgets.delete(parseOrThrow(idParamSchema, message).id);
    return { deleted: true };
  }

  @MessagePattern(WIDGETS.OPEN)
  open(@Payload() message: unknown) {
    const { key, origin } = parseOrThrow(openWidgetRequestSchema, message);
    return this.widgets.open(key, origin);
  }

  @MessagePattern(WIDGETS.AUTHENTICATE_VISITOR)
  authenticateVisitor(@Payload() message: unknown) {
    const { widget_id, tenant_id } = parseOrThrow(authenticateVisitorRequestSchema, message);
    return this.widgets.authenticateVisitor(widget_id, tenant_id);
  }

  @MessagePattern(WIDGETS.ORIGIN_KNOWN)
  async originKnown(@Payload() message: unknown) {
    return {
      known: await this.widgets.originKnown(parseOrThrow(originKnownRequestSchema, message).origin),
    };
  }
}
