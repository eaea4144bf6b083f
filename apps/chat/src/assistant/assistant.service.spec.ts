import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, type Role, tenantIdOf } from '@tenantbot/contracts';
import type { TenantDatabase } from '@tenantbot/database';

import type { ModelsService } from '../models/models.service';
import type { TenantConfigService } from '../tenant-config/tenant-config.service';
import type { AssistantRepository, AssistantRow } from './assistant.repository';
import { AssistantService } from './assistant.service';
import type { AssistantChoices } from './assistant-choices';
import { firstFreeSlug, mayUse, slugOf } from './assistant-view';

const TENANT_ID = tenantIdOf(randomUUID());

function row(fields: Partial<AssistantRow> = {}): AssistantRow {
  return {
    id: randomUUID(),
    tenant_id: TENANT_ID,
    name: 'Assistant',
    slug: 'assistant',
    description: '',
    system_prompt: null,
    model: null,
    temperature: null,
    roles: ['tenant_admin', 'agent', 'user', 'readonly'],
    widgets_allowed: true,
    knowledge_document_ids: null,
    knowledge_tags: null,
    greeting: '',
    is_default: false,
    created_at: new Date(),
    updated_at: new Date(),
    ...fields,
  };
}

function callerAs(role: Role | 'visitor'): Caller {
  return role === 'visitor'
    ? {
        requestId: 'r',
        tenantId: TENANT_ID,
        role,
        visitor: { visitorId: 'v_x', widgetId: randomUUID() },
      }
    : { requestId: 'r', tenantId: TENANT_ID, role, userId: randomUUID() };
}

/** The service over a faked repository: which rows the exchange's one read finds. */
function serviceFinding(candidates: AssistantRow[], created = row({ is_default: true })) {
  const repository = {
    candidatesForExchange: jest.fn<AssistantRepository['candidatesForExchange']>(() =>
      Promise.resolve(candidates),
    ),
    ensureDefault: jest.fn<AssistantRepository['ensureDefault']>(() => Promise.resolve(created)),
  };
  const service = new AssistantService(
    {} as TenantDatabase,
    repository as unknown as AssistantRepository,
    {} as TenantConfigService,
    {} as ModelsService,
    // No cache in these tests: every exchange reads.
    { candidates: (_tenant, _requested, load) => load() } as AssistantChoices,
  );
  return { service, repository };
}

describe('AssistantService.forExchange', () => {
  const byDefault = row({ is_default: true });
  const bizBot = row({ name: 'BizBot', roles: ['tenant_admin'], widgets_allowed: false });

  it('answers with the named assistant when the caller may use it', async () => {
    const { service } = serviceFinding([byDefault, bizBot]);
    await expect(service.forExchange(callerAs('tenant_admin'), bizBot.id)).resolves.toBe(bizBot);
  });

  it('refuses a named assistant of another role, or one not on widgets for a visitor', async () => {
    const { service } = serviceFinding([byDefault, bizBot]);
    await expect(service.forExchange(callerAs('user'), bizBot.id)).rejects.toMatchObject({
      code: 'ASSISTANT_FORBIDDEN',
    });
    await expect(service.forExchange(callerAs('visitor'), bizBot.id)).rejects.toMatchObject({
      code: 'ASSISTANT_FORBIDDEN',
    });
  });

  it('answers ASSISTANT_NOT_FOUND for an id the tenant does not have', async () => {
    const { service } = serviceFinding([byDefault]);
    await expect(service.forExchange(callerAs('user'), randomUUID())).rejects.toMatchObject({
      code: 'ASSISTANT_NOT_FOUND',
    });
  });

  it("continues with the conversation's assistant while the caller may use it, else the default", async () => {
    const { service } = serviceFinding([byDefault, bizBot]);
    await expect(
      service.forExchange(callerAs('tenant_admin'), undefined, randomUUID()),
    ).resolves.toBe(bizBot);
    await expect(service.forExchange(callerAs('user'), undefined, randomUUID())).resolves.toBe(
      byDefault,
    );
  });

  it('makes the default of a tenant that has none', async () => {
    const { service, repository } = serviceFinding([]);
    const chosen = await service.forExchange(callerAs('user'), undefined);
    expect(chosen.is_default).toBe(true);
    expect(repository.ensureDefault).toHaveBeenCalledWith(TENANT_ID);
  });
});

describe('who may use an assistant', () => {
  it('is its roles, visitors when widgets are allowed, and the super admin always', () => {
    const userOnly = row({ roles: ['user'], widgets_allowed: false });
    expect(mayUse(callerAs('user'), userOnly)).toBe(true);
    expect(mayUse(callerAs('agent'), userOnly)).toBe(false);
    expect(mayUse(callerAs('visitor'), userOnly)).toBe(false);
    expect(mayUse(callerAs('super_admin'), userOnly)).toBe(true);
    expect(mayUse(callerAs('visitor'), row({ roles: ['user'], widgets_allowed: true }))).toBe(true);
  });
});

describe('slugs', () => {
  it('are derived from names, never a model or an id', () => {
    expect(slugOf('  Märkët   Bot! ')).toBe('market-bot');
    expect(slugOf('gpt-4o')).toBe('assistant');
    expect(slugOf('🤖')).toBe('assistant');
    expect(slugOf('x'.repeat(80))).toHaveLength(50);
  });

  it('take the first free number when taken', () => {
    expect(firstFreeSlug('bot', new Set())).toBe('bot');
    expect(firstFreeSlug('bot', new Set(['bot', 'bot-2']))).toBe('bot-3');
  });
});
