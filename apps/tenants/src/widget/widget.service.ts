import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import {
  type Caller,
  DomainError,
  ErrorCode,
  type OpenedWidget,
  type TenantId,
  type WidgetCreate,
  type WidgetUpdate,
  type WidgetView,
} from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  PlatformScope,
  TenantDatabase,
} from '@tenantbot/database';

import { requireRole } from '../security/caller';
import { toAuthenticatedTenant } from '../tenant/authenticated-tenant';
import { TenantRepository } from '../tenant/tenant.repository';
import { type WidgetRecord, WidgetRepository } from './widget.repository';

/**
 * A tenant's website widgets: managed by its admins, opened by browsers with a public key
 * from one of the widget's exact origins. A refusal names no more than the caller may know:
 * a wrong origin learns only that, not whether the widget or its tenant is active.
 */
@Injectable()
export class WidgetService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly platform: PlatformScope,
    private readonly widgets: WidgetRepository,
    private readonly tenants: TenantRepository,
  ) {}

  async list(caller: Caller): Promise<WidgetView[]> {
    return (await this.widgets.list(this.adminsTenant(caller))).map(toWidgetView);
  }

  async get(caller: Caller, id: string): Promise<WidgetView> {
    return toWidgetView(await mustFind(this.adminsTenant(caller), this.widgets, id));
  }

  async create(caller: Caller, input: WidgetCreate): Promise<WidgetView> {
    const tenantId = this.adminsTenant(caller);
    const created = await this.widgets.insert(tenantId, {
      ...input,
      tenant_id: tenantId,
      public_key: `pk_${randomBytes(18).toString('base64url')}`,
    });
    return toWidgetView(created);
  }

  async update(caller: Caller, id: string, input: WidgetUpdate): Promise<WidgetView> {
    return this.database.transaction(this.adminsTenant(caller), async (db) => {
      const stored = await mustFind(db, this.widgets, id);
      const updated = await this.widgets.update(db, id, {
        name: input.name ?? stored.name,
        allowed_origins: input.allowed_origins ?? stored.allowed_origins,
        assistant_id: input.assistant_id === undefined ? stored.assistant_id : input.assistant_id,
        branding: { ...stored.branding, ...input.branding },
        limits: { ...stored.limits, ...input.limits },
        handoff_enabled: input.handoff_enabled ?? stored.handoff_enabled,
        is_active: input.is_active ?? stored.is_active,
      });
      if (!updated) {
        throw widgetNotFound();
      }
      return toWidgetView(updated);
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    if (!(await this.widgets.delete(this.adminsTenant(caller), id))) {
      throw widgetNotFound();
    }
  }

  /** A browser on `origin` opens the widget of `key`: the origin first, then the states. */
  async open(key: string, origin: string | null): Promise<OpenedWidget> {
    // The key names the tenant: finding it crosses tenants.
    const widget = await this.widgets.findByPublicKey(this.platform, key);
    if (!widget) {
      throw widgetNotFound();
    }
    if (!origin || !widget.allowed_origins.includes(origin.toLowerCase())) {
      throw new DomainError(
        ErrorCode.ORIGIN_NOT_ALLOWED,
        'this widget may not be used from this origin',
      );
    }
    return this.opened(this.platform, widget);
  }

  /** Every visitor request: the widget and its tenant must still be active. */
  async authenticateVisitor(widgetId: string, tenantId: TenantId): Promise<OpenedWidget> {
    return this.database.transaction(tenantId, async (db) => {
      const widget = await this.widgets.findById(db, widgetId);
      if (!widget) {
        throw new DomainError(ErrorCode.UNAUTHORIZED, 'this widget no longer exists');
      }
      return this.opened(db, widget);
    });
  }

  async originKnown(origin: string): Promise<boolean> {
    return this.widgets.originKnown(this.platform, origin.toLowerCase());
  }

  /** Widgets are managed by their tenant's admins (or a super admin naming the tenant). */
  private adminsTenant(caller: Caller): TenantId {
    requireRole(caller, 'tenant_admin', 'super_admin');
    return caller.tenantId;
  }

  private async opened(db: InTenant | AcrossTenants, widget: WidgetRecord): Promise<OpenedWidget> {
    if (!widget.is_active) {
      throw new DomainError(ErrorCode.WIDGET_INACTIVE, 'this chat widget is turned off');
    }
    const tenant = await this.tenants.findById(db, widget.tenant_id);
    if (!tenant?.is_active) {
      throw new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated');
    }
    return {
      widget: {
        id: widget.id,
        allowed_origins: widget.allowed_origins,
        branding: widget.branding,
        limits: widget.limits,
        handoff_enabled: widget.handoff_enabled,
        assistant_id: widget.assistant_id,
      },
      tenant: toAuthenticatedTenant(tenant),
    };
  }
}

async function mustFind(
  db: InTenant,
  widgets: WidgetRepository,
  id: string,
): Promise<WidgetRecord> {
  const widget = await widgets.findById(db, id);
  if (!widget) {
    throw widgetNotFound();
  }
  return widget;
}

function widgetNotFound(): DomainError {
  return new DomainError(ErrorCode.WIDGET_NOT_FOUND, 'widget not found');
}

export function toWidgetView(row: WidgetRecord): WidgetView {
  return {
    id: row.id,
    name: row.name,
    public_key: row.public_key,
    allowed_origins: row.allowed_origins,
    assistant_id: row.assistant_id,
    branding: row.branding,
    limits: row.limits,
    handoff_enabled: row.handoff_enabled,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
