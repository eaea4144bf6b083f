import { describe, expect, it } from 'vitest';

import { inboxItemsOf, transcriptOf } from './inbox';

describe('inbox', () => {
  it('lists conversations the longest waiting first, from a page or an array', () => {
    const items = [
      { id: 'b', status: 'waiting_human', channel: 'widget', updated_at: '2026-12-06T10:05:00Z' },
      { id: 'a', status: 'human', assigned_agent_id: 'u1', updated_at: '2026-12-06T10:01:00Z' },
      { nonsense: true },
    ];
    expect(inboxItemsOf({ items, total: 2 }).map((item) => item.id)).toEqual(['a', 'b']);
    expect(inboxItemsOf(items)[0]).toMatchObject({ id: 'a', assignedAgentId: 'u1' });
    expect(inboxItemsOf(undefined)).toEqual([]);
  });

  it('reads a transcript with its roles, internal notes and cited sources', () => {
    const transcript = transcriptOf({
      id: 'c',
      messages: [
        { id: '1', role: 'user', content: 'Where is my parcel?' },
        {
          id: '2',
          role: 'assistant',
          content: 'Two days.',
          sources: [{ filename: 'shipping.md', score: 0.9 }],
        },
        { id: '3', role: 'system', content: 'VIP customer', internal: true },
      ],
    });
    expect(transcript.map((message) => [message.role, message.internal, message.sources])).toEqual([
      ['user', false, []],
      ['assistant', false, ['shipping.md']],
      ['system', true, []],
    ]);
  });
});
