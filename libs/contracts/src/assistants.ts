import { z } from 'zod';

import { isKnownModel } from './chat';
import { ROLES } from './roles';

/**
 * Message patterns of a tenant's assistants, owned by the chat service (it builds the prompts):
 * the tenant admin's management, and what a caller may chat with.
 */
export const ASSISTANTS = {
  /** `Pagination` → a page of `AssistantView`: every assistant of the tenant (tenant admin). */
  LIST: 'chat.assistants.list',
  /** `AssistantCreate` → `AssistantView` (tenant admin). */
  CREATE: 'chat.assistants.create',
  /** `{id}` → `AssistantView`, or ASSISTANT_NOT_FOUND (tenant admin). */
  GET: 'chat.assistants.get',
  /** `{id, body: AssistantUpdate}` → `AssistantView` (tenant admin). */
  UPDATE: 'chat.assistants.update',
  /** `{id}` → `{deleted: true}`; ASSISTANT_IS_DEFAULT for the default one (tenant admin). */
  DELETE: 'chat.assistants.delete',
  /** `Pagination` → a page of `UsableAssistant`: those the caller's role (or widget) may use. */
  USABLE: 'chat.assistants.usable',
} as const;

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Names an assistant wherever a model may be named (the OpenAI-compatible `model`), so it can
 * be neither a model of the catalog nor shaped like an id.
 */
export const assistantSlugSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and inner dashes')
  .refine((slug) => !isKnownModel(slug), 'must not be the name of a model')
  .refine((slug) => !UUID_SHAPE.test(slug), 'must not look like an id');

/** A document's label; assistants scope their knowledge by tags. Compared lower-cased. */
export const documentTagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(50)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:/-]*$/u, 'letters, digits, spaces and _ . : / -');

export const MAX_DOCUMENT_TAGS = 20;
export const documentTagsSchema = z
  .array(documentTagSchema)
  .max(MAX_DOCUMENT_TAGS)
  .transform((tags) => [...new Set(tags)]);

/**
 * What an assistant may cite: the documents listed or carrying one of the tags (either may be
 * left out). Both left out: every document of the tenant.
 */
export const assistantKnowledgeSchema = z.strictObject({
  document_ids: z
    .array(z.uuid())
    .max(100)
    .transform((ids) => [...new Set(ids)])
    .optional(),
  tags: documentTagsSchema.optional(),
});
export type AssistantKnowledge = z.output<typeof assistantKnowledgeSchema>;

const roles = z
  .array(z.enum(ROLES))
  .min(1)
  .max(ROLES.length)
  .transform((list) => [...new Set(list)]);

const assistantFields = {
  name: z.string().trim().min(1).max(100),
  slug: assistantSlugSchema,
  description: z.string().max(1000),
  /** Null: the tenant's system prompt (kept in step when the tenant changes it). */
  system_prompt: z.string().trim().min(1).max(20_000).nullable(),
  /** Null: the tenant's default model. Must be one the tenant allows. */
  model: z.string().min(1).max(100).nullable(),
  temperature: z.number().min(0).max(2).nullable(),
  /** The roles that may chat with it; a super admin acting in the tenant always may. */
  roles,
  /** Whether website visitors of the tenant's widgets may chat with it. */
  widgets_allowed: z.boolean(),
  knowledge: assistantKnowledgeSchema,
  greeting: z.string().max(500),
  /** Exactly one assistant of a tenant is its default: chat without `assistant_id` uses it. */
  is_default: z.boolean(),
};

/** Who may use an assistant created without `roles`: every role of the tenant. */
export const ASSISTANT_DEFAULT_ROLES = ['tenant_admin', 'agent', 'user', 'readonly'] as const;

export const assistantCreateSchema = z.strictObject({
  ...assistantFields,
  /** Derived from the name when left out (with a number added if taken). */
  slug: assistantFields.slug.optional(),
  description: assistantFields.description.default(''),
  system_prompt: assistantFields.system_prompt.default(null),
  model: assistantFields.model.default(null),
  temperature: assistantFields.temperature.default(null),
  roles: roles.default([...ASSISTANT_DEFAULT_ROLES]),
  widgets_allowed: assistantFields.widgets_allowed.default(false),
  knowledge: assistantKnowledgeSchema.default({}),
  greeting: assistantFields.greeting.default(''),
  is_default: assistantFields.is_default.default(false),
});
export type AssistantCreate = z.output<typeof assistantCreateSchema>;

/** Fields left out keep their value; `knowledge` is replaced as a whole when given. */
export const assistantUpdateSchema = z.strictObject(assistantFields).partial();
export type AssistantUpdate = z.output<typeof assistantUpdateSchema>;

export const assistantUpdateMessageSchema = z.strictObject({
  id: z.uuid(),
  body: assistantUpdateSchema,
});

export const assistantViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  system_prompt: z.string().nullable(),
  model: z.string().nullable(),
  temperature: z.number().nullable(),
  roles: z.array(z.enum(ROLES)),
  widgets_allowed: z.boolean(),
  knowledge: z.object({
    document_ids: z.array(z.uuid()).optional(),
    tags: z.array(z.string()).optional(),
  }),
  greeting: z.string(),
  is_default: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AssistantView = z.output<typeof assistantViewSchema>;

/** What a caller who may chat with an assistant sees of it: not its prompt nor its scope. */
export const usableAssistantSchema = assistantViewSchema.pick({
  id: true,
  name: true,
  slug: true,
  description: true,
  greeting: true,
  is_default: true,
});
export type UsableAssistant = z.output<typeof usableAssistantSchema>;
