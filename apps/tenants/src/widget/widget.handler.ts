import { Controller } from '@nestjs/common';

import {
  type Caller,
  type OpenedWidget,
  type ParsedRequestOf,
  tenantIdOf,
  WIDGETS,
  type WidgetView,
} from '@tenantbot/contracts';
import { CurrentCaller } from '@tenantbot/tenant-context';
import { Handles, ValidPayload } from '@tenantbot/transport';

import { WidgetService } from './widget.service';

/** The web channel: its admins' widget management, and browsers opening a widget. */
@Controller()
export class WidgetHandler {
  constructor(private readonly widgets: WidgetService) {}

  @Handles(WIDGETS.LIST)
  list(@CurrentCaller() caller: Caller): Promise<WidgetView[]> {
    return this.widgets.list(caller);
  }

  @Handles(WIDGETS.CREATE)
  create(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WIDGETS.CREATE) body: ParsedRequestOf<typeof WIDGETS.CREATE>,
  ): Promise<WidgetView> {
    return this.widgets.create(caller, body);
  }

  @Handles(WIDGETS.GET)
  get(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WIDGETS.GET) { id }: ParsedRequestOf<typeof WIDGETS.GET>,
  ): Promise<WidgetView> {
    return this.widgets.get(caller, id);
  }

  @Handles(WIDGETS.UPDATE)
  update(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WIDGETS.UPDATE) { id, body }: ParsedRequestOf<typeof WIDGETS.UPDATE>,
  ): Promise<WidgetView> {
    return this.widgets.update(caller, id, body);
  }

  @Handles(WIDGETS.DELETE)
  async delete(
    @CurrentCaller() caller: Caller,
    @ValidPayload(WIDGETS.DELETE) { id }: ParsedRequestOf<typeof WIDGETS.DELETE>,
  ): Promise<{ deleted: true }> {
    await this.widgets.delete(caller, id);
    return { deleted: true };
  }

  /** Public: a browser with the widget's key, checked against its origin. */
  @Handles(WIDGETS.OPEN)
  open(
    @ValidPayload(WIDGETS.OPEN) { key, origin }: ParsedRequestOf<typeof WIDGETS.OPEN>,
  ): Promise<OpenedWidget> {
    return this.widgets.open(key, origin);
  }

  /** The gateway, for each request of a visitor token it verified. */
  @Handles(WIDGETS.AUTHENTICATE_VISITOR)
  authenticateVisitor(
    @ValidPayload(WIDGETS.AUTHENTICATE_VISITOR)
    request: ParsedRequestOf<typeof WIDGETS.AUTHENTICATE_VISITOR>,
  ): Promise<OpenedWidget> {
    return this.widgets.authenticateVisitor(request.widget_id, tenantIdOf(request.tenant_id));
  }

  /** The gateway's CORS: whether any active tenant or widget allows the origin. */
  @Handles(WIDGETS.ORIGIN_KNOWN)
  async originKnown(
    @ValidPayload(WIDGETS.ORIGIN_KNOWN) { origin }: ParsedRequestOf<typeof WIDGETS.ORIGIN_KNOWN>,
  ): Promise<{ known: boolean }> {
    return { known: await this.widgets.originKnown(origin) };
  }
}
