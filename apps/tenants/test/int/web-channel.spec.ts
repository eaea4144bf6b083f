import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { TenantId } from '@tenantbot/contracts';
import { widgetCreateSchema } from '@tenantbot/contracts';
import { FakeDnsServer } from '@tenantbot/testing';

import { AuthService } from '../../src/auth/auth.service';
import { DomainService } from '../../src/domain/domain.service';
import { TenantService } from '../../src/tenant/tenant.service';
import { WidgetService } from '../../src/widget/widget.service';
import {
  callerOf,
  expectCode,
  superAdmin,
  tenantAdmin,
  TenantsTestApp,
} from '../support/tenants-test-app';

const SHOP = 'https://shop.a.example';

describe('tenants in process: widgets and custom domains', () => {
  let app: TenantsTestApp;
  let dns: FakeDnsServer;
  let widgets: WidgetService;
  let tenantA: TenantId;
  let tenantB: TenantId;

  beforeAll(async () => {
    dns = await FakeDnsServer.start();
    app = await TenantsTestApp.start({ DNS_RESOLVER: dns.address });
    widgets = app.get(WidgetService);
    [tenantA, tenantB] = [await app.createTenant('A'), await app.createTenant('B')];
  });

  afterAll(async () => {
    await app.stop();
    await dns.close();
  });

  const newWidget = (name: string) => widgetCreateSchema.parse({ name, allowed_origins: [SHOP] });

  it('opens a widget from its exact origins only, while it and its tenant are active', async () => {
    const widget = await widgets.create(tenantAdmin(tenantA), newWidget('Shop'));
    expect(widget.public_key).toMatch(/^pk_/);
    const opened = await widgets.open(widget.public_key, SHOP);
    expect(opened).toMatchObject({ widget: { id: widget.id }, tenant: { id: tenantA } });
    await expectCode(widgets.open(widget.public_key, 'https://evil.example'), 'ORIGIN_NOT_ALLOWED');
    await expectCode(widgets.open('pk_unknown', SHOP), 'WIDGET_NOT_FOUND');
    expect(await widgets.originKnown(SHOP.toUpperCase())).toBe(true);
    expect(await widgets.originKnown('https://evil.example')).toBe(false);

    await widgets.update(tenantAdmin(tenantA), widget.id, { is_active: false });
    await expectCode(widgets.open(widget.public_key, SHOP), 'WIDGET_INACTIVE');
    await expectCode(widgets.authenticateVisitor(widget.id, tenantA), 'WIDGET_INACTIVE');
    expect(await widgets.originKnown(SHOP)).toBe(false);
  });

  it('never shows or changes one tenant’s widgets for another', async () => {
    const widget = await widgets.create(tenantAdmin(tenantA), newWidget('Private'));
    expect((await widgets.list(tenantAdmin(tenantB))).map((w) => w.id)).not.toContain(widget.id);
    await expectCode(widgets.get(tenantAdmin(tenantB), widget.id), 'WIDGET_NOT_FOUND');
    await expectCode(
      widgets.update(tenantAdmin(tenantB), widget.id, { name: 'x' }),
      'WIDGET_NOT_FOUND',
    );
    await expectCode(widgets.delete(tenantAdmin(tenantB), widget.id), 'WIDGET_NOT_FOUND');
    await expectCode(widgets.authenticateVisitor(widget.id, tenantB), 'UNAUTHORIZED');
    await expectCode(widgets.list(callerOf('agent', tenantA)), 'FORBIDDEN');
    await widgets.delete(tenantAdmin(tenantA), widget.id);
    await expectCode(widgets.get(tenantAdmin(tenantA), widget.id), 'WIDGET_NOT_FOUND');
  });

  it('verifies a claimed domain by DNS, after which the Host resolves the tenant', async () => {
    const tenants = app.get(TenantService);
    const domains = app.get(DomainService);
    await tenants.updateOwn(tenantAdmin(tenantA), { domains: ['chat.a.example'] });
    const [pending] = await domains.list(tenantAdmin(tenantA));
    expect(pending).toMatchObject({ domain: 'chat.a.example', verified: false });
    expect(await domains.list(tenantAdmin(tenantB))).toEqual([]);
    await expectCode(domains.verify(tenantAdmin(tenantA), 'chat.a.example'), 'DOMAIN_NOT_VERIFIED');
    await expectCode(domains.verify(tenantAdmin(tenantB), 'chat.a.example'), 'DOMAIN_NOT_FOUND');

    dns.setTxt(pending.verification.name, pending.verification.value);
    expect(await domains.verify(tenantAdmin(tenantA), 'chat.a.example')).toMatchObject({
      verified: true,
    });
    const auth = app.get(AuthService);
    const { tenant } = await auth.authenticate({
      kind: 'jwt',
      user_id: (await app.owner.query(`SELECT id FROM users WHERE role = 'super_admin'`)).rows[0]
        .id,
      tenant_id: null,
      host: 'chat.a.example',
    });
    expect(tenant?.id).toBe(tenantA);
    // Verified, it is A's: B can no longer claim it.
    await expectCode(
      tenants.updateOwn(tenantAdmin(tenantB), { domains: ['chat.a.example'] }),
      'CONFLICT',
    );
    await expectCode(
      tenants.update(superAdmin(), tenantB, { domains: ['chat.a.example'] }),
      'CONFLICT',
    );
  });
});
