import { randomUUID } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { ADMIN, STATS_PATTERNS } from './admin';
import { ASSISTANTS } from './assistants';
import { CHAT } from './chat';
import { DomainError } from './errors';
import {
  ACCESS_EVENTS,
  ASSISTANT_EVENTS,
  CONVERSATION_EVENTS,
  EVENTS,
  HANDOFF_SETTINGS_EVENTS,
  LIVE_EVENTS,
  TENANT_EVENTS,
} from './events';
import { FEEDBACK } from './feedback';
import { HANDOFF } from './handoff';
import { contractOf, isRequestPattern, MESSAGES } from './messages';
import { RAG } from './rag';
import { PING_PATTERN, RAG_DEPENDENCIES } from './services';
import { TENANTS } from './tenants';
import { ZodPipe } from './validation';
import { WEBHOOK_EVENTS, WEBHOOKS } from './webhooks';
import { WIDGETS } from './widgets';

const EVERY_PATTERN = [
  ...Object.values(TENANTS),
  ...Object.values(WIDGETS),
  ...Object.values(WEBHOOKS),
  ...Object.values(FEEDBACK),
  ...Object.values(RAG),
  ...Object.values(CHAT),
  ...Object.values(ASSISTANTS),
  ...Object.values(HANDOFF),
  ...Object.values(ADMIN),
  ...Object.values(STATS_PATTERNS),
  ...Object.values(PING_PATTERN),
  RAG_DEPENDENCIES,
];

describe('the message map', () => {
  it('has a request and a reply schema for every pattern the services answer', () => {
    const missing = EVERY_PATTERN.filter((pattern) => !isRequestPattern(pattern));
    expect(missing).toEqual([]);
    expect(Object.keys(MESSAGES).sort()).toEqual([...new Set(EVERY_PATTERN)].sort());
  });

  it('knows nothing of patterns outside it', () => {
    expect(contractOf('chat.unknown')).toBeUndefined();
    expect(contractOf('toString')).toBeUndefined();
  });

  it('marks the streamed reply of chat.stream, whose schema describes each value', () => {
    const stream = contractOf(CHAT.STREAM);
    expect(stream?.streams).toBe(true);
    expect(stream?.reply.safeParse({ type: 'delta', content: 'Hel' }).success).toBe(true);
    expect(contractOf(CHAT.SEND)?.streams).toBeUndefined();
  });

  it('describes the wrapped messages of the tenants service', () => {
    const id = randomUUID();
    const update = MESSAGES[TENANTS.TENANT_UPDATE].request;
    expect(update.safeParse({ id: 'me', body: { name: 'Acme' } }).success).toBe(true);
    expect(update.safeParse({ id, body: { plan: 'basic' } }).success).toBe(true);
    expect(update.safeParse({ id: 'someone', body: {} }).success).toBe(false);
    const authenticate = MESSAGES[TENANTS.AUTH_AUTHENTICATE].request;
    expect(authenticate.safeParse({ kind: 'api_key', key: 'tbk_x', host: 'a.b' }).success).toBe(
      true,
    );
    expect(authenticate.safeParse({ kind: 'jwt', user_id: id }).success).toBe(false);
  });
});

describe('the event map', () => {
  it('has a payload schema for every event and broadcast pattern', () => {
    // Webhooks deliver some of the conversation events: each name once.
    const names = new Set<string>([
      ...Object.values(TENANT_EVENTS),
      ...Object.values(ACCESS_EVENTS),
      ...Object.values(ASSISTANT_EVENTS),
      ...Object.values(HANDOFF_SETTINGS_EVENTS),
      ...Object.values(CONVERSATION_EVENTS),
      ...Object.values(LIVE_EVENTS),
      ...Object.values(WEBHOOK_EVENTS),
    ]);
    expect(Object.keys(EVENTS).sort()).toEqual([...names].sort());
    expect(EVENTS[TENANT_EVENTS.DELETED].safeParse({ tenantId: 'acme' }).success).toBe(false);
  });
});

describe('ZodPipe', () => {
  const pipe = new ZodPipe(MESSAGES[RAG.SEARCH].request);

  it('hands over the parsed input', () => {
    expect(pipe.transform({ query: '  refunds ' })).toEqual({ query: 'refunds' });
  });

  it('fails as parseOrThrow does: VALIDATION_FAILED naming the field, NUL as INVALID_REQUEST', () => {
    expect(() => pipe.transform({ query: 'x', top_k: 51 })).toThrow(DomainError);
    expect(codeOf(() => pipe.transform({ query: 'x', top_k: 51 }))).toEqual({
      code: 'VALIDATION_FAILED',
      fields: ['top_k'],
    });
    expect(codeOf(() => pipe.transform({ query: 'x\0' }))).toEqual({
      code: 'INVALID_REQUEST',
      fields: ['query'],
    });
  });
});

function codeOf(work: () => unknown) {
  try {
    work();
  } catch (error) {
    const domainError = error as DomainError;
    const problems = domainError.details as { field: string }[];
    return { code: domainError.code, fields: problems.map((problem) => problem.field) };
  }
  throw new Error('no error');
}
