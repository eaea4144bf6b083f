import { describe, expect, it } from 'vitest';

import { assistantBodyOf, assistantFormOf, type AssistantView, listOf } from './assistants';

describe('assistants', () => {
  it('turns a new form into a body with the tenant’s defaults as null', () => {
    const form = { ...assistantFormOf(), name: ' Sales ', tags: 'pricing, faq pricing' };
    expect(assistantBodyOf(form)).toEqual({
      body: {
        name: 'Sales',
        description: '',
        system_prompt: null,
        model: null,
        temperature: null,
        roles: ['tenant_admin', 'agent', 'user', 'readonly'],
        widgets_allowed: false,
        knowledge: { tags: ['pricing', 'faq'], document_ids: [] },
        greeting: '',
        is_default: false,
      },
    });
  });

  it('refuses an empty name, a temperature out of range and no role', () => {
    const form = { ...assistantFormOf(), name: ' ', temperature: '2.5', roles: [] };
    expect(assistantBodyOf(form)).toEqual({
      errors: {
        name: expect.any(String),
        temperature: expect.any(String),
        roles: expect.any(String),
      },
    });
    expect(assistantBodyOf({ ...form, name: 'x', roles: ['user'], temperature: 'hot' })).toEqual({
      errors: { temperature: expect.any(String) },
    });
  });

  it('edits an existing assistant as it is stored, round trip', () => {
    const stored = {
      name: 'Support',
      description: 'Answers customers',
      system_prompt: 'Be brief.',
      model: 'gpt-4o-mini',
      temperature: 0.2,
      roles: ['user'],
      widgets_allowed: true,
      knowledge: { tags: ['faq'], document_ids: ['d1', 'd2'] },
      greeting: 'Hi!',
      is_default: true,
    } as AssistantView;
    const result = assistantBodyOf(assistantFormOf(stored));
    expect(result).toEqual({ body: { ...stored } });
  });

  it('splits lists on commas, spaces and new lines', () => {
    expect(listOf('a, b\nc  a,,')).toEqual(['a', 'b', 'c']);
    expect(listOf('  ')).toEqual([]);
  });
});
