import { describe, expect, it, jest } from '@jest/globals';

import {
  type Caller,
  ErrorCode,
  tenantIdOf,
  widgetBrandingSchema,
  widgetLimitsSchema,
} from '@tenantbot/contracts';
import type { PlatformScope, TenantDatabase } from '@tenantbot/database';

import type { TenantRecord, TenantRepository } from '../tenant/tenant.repository';
import type { WidgetRecord, WidgetRepository } from './widget.repository';
import { WidgetService } from './widget.service';

const TENANT = tenantIdOf('6f1c2a4e-8b7d-4c3e-9f00-1a2b3c4d5e6f');
const SHOP = 'https://shop.example';

const widget: WidgetRecord = {
  id: 'w1',
  tenant_id: TENANT,
  name: 'Shop',
  public_key: 'pk_test',
  allowed_origins: [SHOP],
  assistant_id: null,
  branding: widgetBrandingSchema.parse({}),
  limits: widgetLimitsSchema.parse({}),
  handoff_enabled: false,
  is_active: true,
  created_at: new Date(0),
  updated_at: new Date(0),
};

function serviceWithFakes(tenant: Partial<TenantRecord> = { is_active: true }) {
  const platform = {};
  const widgets = {
    findByPublicKey: jest.fn(async (..._args: unknown[]) => widget),
    list: jest.fn(async (..._args: unknown[]) => [widget]),
  };
  const tenants = { findById: jest.fn(async (..._args: unknown[]) => ({ ...tenant, id: TENANT })) };
  const service = new WidgetService(
    {} as TenantDatabase,
    platform as PlatformScope,
    widgets as unknown as WidgetRepository,
    tenants as unknown as TenantRepository,
  );
  return { service, platform, widgets, tenants };
}

describe('WidgetService', () => {
  it('checks the origin before telling anything about the widget’s or tenant’s state', async () => {
    const { service, tenants } = serviceWithFakes({ is_active: false });
    await expect(service.open('pk_test', 'https://evil.example')).rejects.toMatchObject({
      code: ErrorCode.ORIGIN_NOT_ALLOWED,
    });
    expect(tenants.findById).not.toHaveBeenCalled();
    await expect(service.open('pk_test', SHOP)).rejects.toMatchObject({
      code: ErrorCode.TENANT_INACTIVE,
    });
  });

  it('finds a widget by its key across tenants, since the key names no tenant', async () => {
    const { service, platform, widgets } = serviceWithFakes();
    await service.open('pk_test', SHOP.toUpperCase());
    expect(widgets.findByPublicKey).toHaveBeenCalledWith(platform, 'pk_test');
  });

  it('lets only the tenant’s admins manage its widgets, in its scope', async () => {
    const { service, widgets } = serviceWithFakes();
    const agent: Caller = { requestId: 'r', tenantId: TENANT, role: 'agent' };
    await expect(service.list(agent)).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    await service.list({ ...agent, role: 'tenant_admin' });
    expect(widgets.list).toHaveBeenCalledWith(TENANT);
  });
});
