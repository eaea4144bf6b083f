import { describe, expect, it, jest } from '@jest/globals';

import {
  type Caller,
  ErrorCode,
  type PlatformCaller,
  TENANT_EVENTS,
  tenantIdOf,
} from '@tenantbot/contracts';
import type { PlatformScope, ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import type { TenantsConfig } from '../config';
import type { DomainClaims } from '../domain/domain-claims';
import type { AccessChanges } from '../events/access-changes';
import type { EventOutbox } from '../events/event-outbox';
import type { TenantRecord, TenantRepository } from './tenant.repository';
import { TenantService } from './tenant.service';

const TENANT = tenantIdOf('6f1c2a4e-8b7d-4c3e-9f00-1a2b3c4d5e6f');
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

const tenantAdmin: Caller = { requestId: 'r', tenantId: TENANT, role: 'tenant_admin' };
const superAdmin: PlatformCaller = { requestId: 'r', role: 'super_admin' };

const stored: TenantRecord = {
  id: TENANT,
  name: 'Acme',
  slug: 'acme',
  plan: 'free',
  is_active: true,
  system_prompt: null,
  default_model: null,
  allowed_models: [],
  rate_limits: {},
  rag_settings: {},
  allowed_origins: [],
  provider_keys: {},
  domains: [],
  domain_verification_token: 'token',
  email: null,
  phone: null,
  website: null,
  logo_url: null,
  created_at: new Date(0),
  updated_at: new Date(0),
};

/** The service on fakes: every repository call is recorded, a unit of work runs at once. */
function serviceWithFakes() {
  const tx = { tenantId: TENANT } as ScopedTransaction;
  const tenants = {
    list: jest.fn(async () => ({ items: [stored], total: 1, limit: 10, offset: 0 })),
    findById: jest.fn(async () => stored),
    update: jest.fn(async (..._args: unknown[]) => undefined),
    delete: jest.fn(async () => true),
  };
  const database = {
    transaction: jest.fn((_tenant: unknown, work: (tx: ScopedTransaction) => unknown) => work(tx)),
  };
  const domainClaims = {
    assertClaimable: jest.fn(async (..._args: unknown[]) => undefined),
    replace: jest.fn((..._args: unknown[]) => undefined),
  };
  const outbox = {
    record: jest.fn(async (..._args: unknown[]) => undefined),
    relaySoon: jest.fn(),
  };
  const accessChanges = { announce: jest.fn(async (..._args: unknown[]) => undefined) };
  const service = new TenantService(
    database as unknown as TenantDatabase,
    {} as PlatformScope,
    tenants as unknown as TenantRepository,
    domainClaims as unknown as DomainClaims,
    outbox as unknown as EventOutbox,
    accessChanges as unknown as AccessChanges,
    { ENCRYPTION_KEY } as TenantsConfig,
  );
  return { service, tx, tenants, database, domainClaims, outbox, accessChanges };
}

describe('TenantService', () => {
  it('refuses the platform list to a tenant admin before reading anything', async () => {
    const { service, tenants } = serviceWithFakes();
    await expect(service.list(tenantAdmin, { limit: 10, offset: 0 })).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    expect(tenants.list).not.toHaveBeenCalled();
  });

  it('refuses a tenant admin the fields only the super admin writes, before any write', async () => {
    const { service, database } = serviceWithFakes();
    await expect(
      service.updateOwn(tenantAdmin, { plan: 'enterprise', rate_limits: { tokens_per_day: 1 } }),
    ).rejects.toMatchObject({
      code: ErrorCode.FIELD_NOT_WRITABLE,
      details: { fields: ['plan', 'rate_limits.tokens_per_day'] },
    });
    expect(database.transaction).not.toHaveBeenCalled();
  });

  it('leaves a tenant admin’s new domains pending and a super admin’s verified', async () => {
    const { service, domainClaims, tx } = serviceWithFakes();
    await service.updateOwn(tenantAdmin, { domains: ['chat.acme.example'] });
    expect(domainClaims.replace).toHaveBeenLastCalledWith(
      tx,
      ['chat.acme.example'],
      'tenant_admin',
    );
    await service.update(superAdmin, TENANT, { domains: ['chat.acme.example'] });
    expect(domainClaims.replace).toHaveBeenLastCalledWith(tx, ['chat.acme.example'], 'super_admin');
  });

  it('seals provider keys before they reach the repository', async () => {
    const { service, tenants } = serviceWithFakes();
    await service.updateOwn(tenantAdmin, { provider_keys: { openai: 'sk-secret' } });
    const [, , columns] = tenants.update.mock.calls[0];
    expect(JSON.stringify(columns)).not.toContain('sk-secret');
    expect(columns).toMatchObject({ provider_keys: { openai: { v: 1 } } });
  });

  it('records tenant.deleted in the deleting unit of work, then announces the change', async () => {
    const { service, tx, outbox, accessChanges } = serviceWithFakes();
    await service.delete(superAdmin, TENANT);
    expect(outbox.record).toHaveBeenCalledWith(tx, TENANT_EVENTS.DELETED, { tenantId: TENANT });
    expect(accessChanges.announce).toHaveBeenCalledWith({ kind: 'tenant', tenantId: TENANT });
  });

  it('answers TENANT_NOT_FOUND for an id that is no tenant’s, without a query', async () => {
    const { service, database } = serviceWithFakes();
    await expect(service.get(superAdmin, 'not-a-uuid')).rejects.toMatchObject({
      code: ErrorCode.TENANT_NOT_FOUND,
    });
    expect(database.transaction).not.toHaveBeenCalled();
  });
});
