import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, type Role, tenantIdOf } from '@tenantbot/contracts';
import type { ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import type { ConversationRow } from '../conversation/conversation.repository';
import type { HandoffRepository } from './handoff.repository';
import { HandoffService } from './handoff.service';
import type { LiveConversations } from './live-conversations';

const TENANT = tenantIdOf(randomUUID());
const AGENT = randomUUID();

function row(overrides: Partial<ConversationRow> = {}): ConversationRow {
  return {
    id: randomUUID(),
    user_id: randomUUID(),
    api_key_id: null,
    assigned_agent_id: null,
    title: 'Parcel',
    status: 'waiting_human',
    channel: 'api',
    handoff_requested_at: new Date(),
    claimed_at: null,
    message_count: 2,
    created_at: new Date(),
    updated_at: new Date(),
    ...overrides,
  };
}

function callerAs(role: Role | 'visitor', userId = AGENT): Caller {
  return { requestId: 'r-1', tenantId: TENANT, role, userId };
}

function serviceWith(conversation: ConversationRow) {
  const message = {
    id: randomUUID(),
    role: 'agent' as const,
    author_id: AGENT,
    internal: false,
    content: 'hi',
    sources: [],
    model: null,
    input_tokens: null,
    output_tokens: null,
    cost_usd: null,
    latency_ms: null,
    created_at: new Date(),
  };
  const repository = {
    lock: jest.fn<HandoffRepository['lock']>(() => Promise.resolve()),
    find: jest.fn<HandoffRepository['find']>(() => Promise.resolve(conversation)),
    claim: jest.fn<HandoffRepository['claim']>(() => Promise.resolve(false)),
    addMessage: jest.fn<HandoffRepository['addMessage']>(() => Promise.resolve(message)),
    recordEvent: jest.fn<HandoffRepository['recordEvent']>(() => Promise.resolve()),
    requestHandoff: jest.fn<HandoffRepository['requestHandoff']>(() => Promise.resolve(true)),
  };
  const database = {
    transaction: jest.fn((tenantId: string, work: (tx: ScopedTransaction) => Promise<unknown>) =>
      work({ tenantId } as unknown as ScopedTransaction),
    ),
  };
  const live = { message: jest.fn(), status: jest.fn() };
  const service = new HandoffService(
    database as unknown as TenantDatabase,
    repository as unknown as HandoffRepository,
    live as unknown as LiveConversations,
  );
  return { service, repository, database, live };
}

describe('HandoffService', () => {
  it('refuses the inbox and its moves to users, readonly and visitors before any unit of work', async () => {
    const { service, database } = serviceWith(row());
    for (const role of ['user', 'readonly', 'visitor'] as const) {
      await expect(service.claim(callerAs(role), randomUUID())).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(service.inbox(callerAs(role), { limit: 1, offset: 0 })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    await expect(service.request(callerAs('readonly'), { id: randomUUID() })).rejects.toMatchObject(
      { code: 'FORBIDDEN' },
    );
    expect(database.transaction).not.toHaveBeenCalled();
  });

  it('answers ALREADY_CLAIMED to the claim that lost, and broadcasts nothing', async () => {
    const { service, repository, live } = serviceWith(
      row({ status: 'human', assigned_agent_id: randomUUID() }),
    );
    await expect(service.claim(callerAs('agent'), randomUUID())).rejects.toMatchObject({
      code: 'ALREADY_CLAIMED',
    });
    expect(repository.recordEvent).not.toHaveBeenCalled();
    expect(live.status).not.toHaveBeenCalled();
  });

  it('answers CONVERSATION_CLOSED to a claim of a closed conversation', async () => {
    const { service } = serviceWith(row({ status: 'closed' }));
    await expect(service.claim(callerAs('agent'), randomUUID())).rejects.toMatchObject({
      code: 'CONVERSATION_CLOSED',
    });
  });

  it('takes a claim of one’s own conversation again as no change', async () => {
    const { service, repository } = serviceWith(row({ status: 'human', assigned_agent_id: AGENT }));
    await expect(service.claim(callerAs('agent'), randomUUID())).resolves.toMatchObject({
      status: 'human',
    });
    expect(repository.claim).not.toHaveBeenCalled();
  });

  it('lets only the assigned agent reply, and anyone of the agents add a note', async () => {
    const { service, repository, live } = serviceWith(
      row({ status: 'human', assigned_agent_id: randomUUID() }),
    );
    const id = randomUUID();
    await expect(
      service.reply(callerAs('agent'), { id, content: 'hi', internal: false }),
    ).rejects.toMatchObject({ code: 'NOT_ASSIGNED' });
    expect(live.message).not.toHaveBeenCalled();
    await service.reply(callerAs('agent'), { id, content: 'a note', internal: true });
    expect(repository.addMessage.mock.calls[0][2]).toEqual({
      role: 'system',
      authorId: AGENT,
      content: 'a note',
      internal: true,
    });
  });

  it('asks for a person once: a second request adds no notice and no event', async () => {
    const { service, repository, live } = serviceWith(row({ status: 'waiting_human' }));
    await expect(service.request(callerAs('user'), { id: randomUUID() })).resolves.toMatchObject({
      status: 'waiting_human',
    });
    expect(repository.requestHandoff).not.toHaveBeenCalled();
    expect(repository.addMessage).not.toHaveBeenCalled();
    expect(live.status).not.toHaveBeenCalled();
  });
});
