import {
  type AssistantKnowledge,
  type AssistantView,
  type Caller,
  isKnownModel,
  ROLES,
  type UsableAssistant,
} from '@tenantbot/contracts';

import type { AssistantRow } from './assistant.repository';

type AssistantRole = (typeof ROLES)[number];

function isRole(value: string): value is AssistantRole {
  return (ROLES as readonly string[]).includes(value);
}

export function toAssistantView(row: AssistantRow): AssistantView {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    system_prompt: row.system_prompt,
    model: row.model,
    temperature: row.temperature,
    roles: row.roles.filter(isRole),
    widgets_allowed: row.widgets_allowed,
    knowledge: knowledgeOf(row),
    greeting: row.greeting,
    is_default: row.is_default,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toUsableAssistant(row: AssistantRow): UsableAssistant {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    greeting: row.greeting,
    is_default: row.is_default,
  };
}

/** What the assistant may cite; neither field: every document of the tenant. */
export function knowledgeOf(row: AssistantRow): AssistantKnowledge {
  return {
    ...(row.knowledge_document_ids ? { document_ids: row.knowledge_document_ids } : {}),
    ...(row.knowledge_tags ? { tags: row.knowledge_tags } : {}),
  };
}

/**
 * Who may chat with an assistant: the roles it lists, website visitors when it allows widgets,
 * and a super admin acting in the tenant (the platform's operator) always.
 */
export function mayUse(caller: Caller, row: AssistantRow): boolean {
  if (caller.visitor || caller.role === 'visitor') {
    return row.widgets_allowed;
  }
  return caller.role === 'super_admin' || row.roles.includes(caller.role);
}

/**
 * A slug from a name: ASCII letters and digits, words joined by dashes; `assistant` when
 * nothing of the name is left or it would name a model.
 */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 50)
    .replace(/^-+|-+$/g, '');
  return slug === '' || isKnownModel(slug) || /^[0-9a-f]{8}-/.test(slug) ? 'assistant' : slug;
}

/** `base`, else `base-2`, `base-3`, … : the first not in `taken`. */
export function firstFreeSlug(base: string, taken: Set<string>): string {
  if (!taken.has(base)) {
    return base;
  }
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) {
      return candidate;
    }
  }
}
