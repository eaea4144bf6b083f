import { randomUUID } from 'node:crypto';

import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, tenantIdOf } from '@tenantbot/contracts';
import type { ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import type { FeedbackRepository, FeedbackRow, RatedMessage } from './feedback.repository';
import { FeedbackService } from './feedback.service';

const TENANT = tenantIdOf(randomUUID());
const ANSWER: RatedMessage = { id: randomUUID(), role: 'assistant', conversation_id: randomUUID() };
const TX = { tenantId: TENANT } as ScopedTransaction;

function serviceWith(message: RatedMessage | undefined) {
  const repository = {
    findOwnedMessage: jest.fn<FeedbackRepository['findOwnedMessage']>(() =>
      Promise.resolve(message),
    ),
    upsert: jest.fn<FeedbackRepository['upsert']>((_tx, rated, rating, comment) =>
      Promise.resolve({
        message_id: rated.id,
        tenant_id: TENANT,
        conversation_id: rated.conversation_id,
        rating,
        comment,
        created_at: new Date('2026-01-01T00:00:00Z'),
        updated_at: new Date('2026-01-02T00:00:00Z'),
      } satisfies FeedbackRow),
    ),
    recordEvent: jest.fn<FeedbackRepository['recordEvent']>(() => Promise.resolve()),
  };
  const database = {
    transaction: <T>(_tenant: unknown, work: (tx: ScopedTransaction) => Promise<T>) => work(TX),
  };
  const service = new FeedbackService(
    database as unknown as TenantDatabase,
    repository as unknown as FeedbackRepository,
  );
  return { service, repository };
}

const caller = (ids: Partial<Caller>): Caller => ({
  requestId: 'r-1',
  tenantId: TENANT,
  role: 'user',
  ...ids,
});

describe('FeedbackService', () => {
  it('looks the message up among the caller’s own conversations: user, API key or visitor', async () => {
    const { service, repository } = serviceWith(ANSWER);
    const visitor = { visitorId: 'v-1', widgetId: 'w-1' };
    for (const [ids, owner] of [
      [{ userId: 'u-1' }, { userId: 'u-1' }],
      [{ apiKeyId: 'k-1' }, { apiKeyId: 'k-1' }],
      [{ visitor }, visitor],
    ] as const) {
      await service.rate(caller(ids), { message_id: ANSWER.id, rating: 'up' });
      expect(repository.findOwnedMessage).toHaveBeenLastCalledWith(TX, ANSWER.id, owner);
    }
  });

  it('rates and announces in one unit of work, an empty comment stored as none', async () => {
    const { service, repository } = serviceWith(ANSWER);
    const view = await service.rate(caller({ userId: 'u-1' }), {
      message_id: ANSWER.id,
      rating: 'down',
      comment: '',
    });
    expect(view).toMatchObject({ rating: 'down', comment: null, message_id: ANSWER.id });
    expect(repository.upsert).toHaveBeenCalledWith(TX, ANSWER, 'down', null);
    expect(repository.recordEvent).toHaveBeenCalledWith(
      TX,
      expect.objectContaining({ tenantId: TENANT, message_id: ANSWER.id, rating: 'down' }),
    );
  });

  it('refuses what the caller does not own, a question, and a caller without a principal', async () => {
    await expect(
      serviceWith(undefined).service.rate(caller({ userId: 'u-1' }), {
        message_id: ANSWER.id,
        rating: 'up',
      }),
    ).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
    const { service, repository } = serviceWith({ ...ANSWER, role: 'user' });
    await expect(
      service.rate(caller({ userId: 'u-1' }), { message_id: ANSWER.id, rating: 'up' }),
    ).rejects.toMatchObject({ code: 'MESSAGE_NOT_RATEABLE' });
    expect(repository.upsert).not.toHaveBeenCalled();
    await expect(
      service.rate(caller({}), { message_id: ANSWER.id, rating: 'up' }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
