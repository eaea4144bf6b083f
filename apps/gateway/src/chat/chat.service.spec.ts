import { describe, expect, it } from '@jest/globals';
import { lastValueFrom, of, toArray } from 'rxjs';

import { CHAT, type ChatResponse, type ChatStreamEvent } from '@tenantbot/contracts';
import { currentContext, type RequestContext } from '@tenantbot/tenant-context';
import type { RedisStreamsClient } from '@tenantbot/transport';

import { HttpMetrics } from '../http/http-metrics';
import { ChatService } from './chat.service';

const caller: RequestContext = {
  requestId: 'req-1',
  tenantId: '00000000-0000-4000-8000-00000000000a',
  principal: { role: 'user', userId: 'u-1' },
};

const answer: ChatResponse = {
  response: 'hello',
  conversation_id: '00000000-0000-4000-8000-000000000001',
  model_used: 'local',
  tokens_used: { input: 3, output: 5, total: 8 },
  total_tokens: 8,
  latency_ms: 1,
  cost_usd: 0.25,
  request_id: 'req-1',
  sources: [],
  grounded: false,
  assistant_id: '00000000-0000-4000-8000-0000000000a1',
};

/** A transport that answers chat.send and chat.stream, noting the context each call travelled in. */
function fakeTransport() {
  const contexts: (RequestContext | undefined)[] = [];
  const transport = {
    request: (pattern: string) => {
      contexts.push(currentContext());
      return Promise.resolve(pattern === CHAT.SEND ? answer : undefined);
    },
    call: () => {
      contexts.push(currentContext());
      return of<ChatStreamEvent[]>({ type: 'delta', content: 'hel' }, { type: 'done', ...answer });
    },
  };
  return { contexts, transport: transport as unknown as RedisStreamsClient };
}

async function tokensCounted(metrics: HttpMetrics): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith('llm_tokens_total{'));
}

describe('ChatService', () => {
  it('sends the question in the caller’s context and counts the answer’s tokens by tenant', async () => {
    const { contexts, transport } = fakeTransport();
    const metrics = new HttpMetrics();
    await expect(
      new ChatService(transport, metrics).answer(caller, { message: 'hi', use_rag: true }),
    ).resolves.toEqual(answer);
    expect(contexts).toEqual([caller]);
    expect(await tokensCounted(metrics)).toEqual([
      `llm_tokens_total{tenant="${caller.tenantId}",model="local",direction="input"} 3`,
      `llm_tokens_total{tenant="${caller.tenantId}",model="local",direction="output"} 5`,
    ]);
  });

  it('streams the answer as it comes, in the caller’s context, counted once when done', async () => {
    const { contexts, transport } = fakeTransport();
    const metrics = new HttpMetrics();
    const events = await lastValueFrom(
      new ChatService(transport, metrics)
        .stream(caller, { message: 'hi', use_rag: true })
        .pipe(toArray()),
    );
    expect(events.map((event) => event.type)).toEqual(['delta', 'done']);
    expect(contexts).toEqual([caller]);
    expect(await tokensCounted(metrics)).toHaveLength(2);
  });
});
