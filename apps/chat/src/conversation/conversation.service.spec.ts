import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, type Role, tenantIdOf } from '@tenantbot/contracts';

import type { ConversationRepository, ConversationRow } from './conversation.repository';
import { ConversationService } from './conversation.service';

const TENANT = tenantIdOf(randomUUID());
const ROW: ConversationRow = {
  id: randomUUID(),
  user_id: null,
  api_key_id: null,
  assigned_agent_id: null,
  status: 'bot',
  channel: 'api',
  handoff_requested_at: null,
  claimed_at: null,
  title: 'Refunds',
  message_count: 0,
  created_at: new Date('2026-01-01T00:00:00Z'),
  updated_at: new Date('2026-01-01T00:00:00Z'),
};

function callerAs(role: Role | 'visitor', ids: Partial<Caller> = { userId: 'u-1' }): Caller {
  return { requestId: 'r-1', tenantId: TENANT, role, ...ids };
}

function fakeRepository() {
  return {
    list: jest.fn<ConversationRepository['list']>(() => Promise.resolve({ items: [], total: 0 })),
    findWithMessages: jest.fn<ConversationRepository['findWithMessages']>(() =>
      Promise.resolve(undefined),
    ),
    state: jest.fn<ConversationRepository['state']>(() =>
      Promise.resolve({ status: 'bot', turns: [], lastAnswerGrounded: true }),
    ),
    delete: jest.fn<ConversationRepository['delete']>(() => Promise.resolve(true)),
  };
}

function serviceWith(overrides: Partial<ReturnType<typeof fakeRepository>>) {
  const fake = { ...fakeRepository(), ...overrides };
  return { service: new ConversationService(fake as unknown as ConversationRepository), fake };
}

describe('ConversationService', () => {
  it('lists a user’s own conversations, in the caller’s tenant', async () => {
    const { service, fake } = serviceWith({});
    await service.list(callerAs('user'), { scope: 'mine', limit: 10, offset: 0 });
    expect(fake.list).toHaveBeenCalledWith(TENANT, { userId: 'u-1' }, { limit: 10, offset: 0 });
  });

  it('lists an API key’s and a widget visitor’s own conversations', async () => {
    const { service, fake } = serviceWith({});
    await service.list(callerAs('user', { apiKeyId: 'k-1' }), {
      scope: 'mine',
      limit: 1,
      offset: 0,
    });
    const visitor = { visitorId: 'v-1', widgetId: 'w-1' };
    await service.list(callerAs('visitor', { visitor }), { scope: 'mine', limit: 1, offset: 0 });
    expect(fake.list.mock.calls.map((call) => call[1])).toEqual([{ apiKeyId: 'k-1' }, visitor]);
  });

  it('refuses the whole tenant’s list to a user before reading anything', async () => {
    const { service, fake } = serviceWith({});
    await expect(
      service.list(callerAs('user'), { scope: 'tenant', limit: 10, offset: 0 }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(fake.list).not.toHaveBeenCalled();
  });

  it('lets agents and admins see every conversation of the tenant', async () => {
    const { service, fake } = serviceWith({
      findWithMessages: jest.fn<ConversationRepository['findWithMessages']>(() =>
        Promise.resolve({ conversation: ROW, messages: [] }),
      ),
    });
    await service.get(callerAs('agent'), ROW.id);
    expect(fake.findWithMessages).toHaveBeenCalledWith(TENANT, ROW.id, 'tenant', {
      withInternal: true,
    });
  });

  it('never reads agents’ internal notes for a user or a visitor', async () => {
    const { service, fake } = serviceWith({
      findWithMessages: jest.fn<ConversationRepository['findWithMessages']>(() =>
        Promise.resolve({ conversation: ROW, messages: [] }),
      ),
    });
    await service.get(callerAs('user'), ROW.id);
    await service.get(
      callerAs('visitor', { visitor: { visitorId: 'v-1', widgetId: 'w-1' } }),
      ROW.id,
    );
    expect(fake.findWithMessages.mock.calls.map((call) => call[3])).toEqual([
      { withInternal: false },
      { withInternal: false },
    ]);
  });

  it('answers CONVERSATION_NOT_FOUND for a conversation the caller does not see', async () => {
    const { service } = serviceWith({
      state: jest.fn<ConversationRepository['state']>(() => Promise.resolve(undefined)),
      delete: jest.fn<ConversationRepository['delete']>(() => Promise.resolve(false)),
    });
    await expect(service.get(callerAs('user'), ROW.id)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
    await expect(service.history(callerAs('user'), ROW.id)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
    await expect(service.delete(callerAs('user'), ROW.id)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
  });

  it('refuses deletion to the readonly role before touching anything', async () => {
    const { service, fake } = serviceWith({});
    await expect(service.delete(callerAs('readonly'), ROW.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(fake.delete).not.toHaveBeenCalled();
  });
});
