import type { operations } from '../api/schema';

/** Assistants (README "Assistants"): the tenant admin's named bots with their own prompt. */
export type AssistantView =
  operations['AssistantsController_get']['responses'][200]['content']['application/json'];
export type AssistantBody =
  operations['AssistantsController_create']['requestBody']['content']['application/json'];
export type AssistantRole = NonNullable<AssistantBody['roles']>[number];

export const ASSISTANT_ROLES: readonly AssistantRole[] = [
  'tenant_admin',
  'agent',
  'user',
  'readonly',
];

/** The editable form of an assistant: text fields as typed, lists as comma-separated text. */
export interface AssistantForm {
  name: string;
  description: string;
  systemPrompt: string;
  model: string;
  temperature: string;
  roles: AssistantRole[];
  widgetsAllowed: boolean;
  tags: string;
  documentIds: string;
  greeting: string;
  isDefault: boolean;
}

export function assistantFormOf(assistant?: AssistantView): AssistantForm {
  return {
    name: assistant?.name ?? '',
    description: assistant?.description ?? '',
    systemPrompt: assistant?.system_prompt ?? '',
    model: assistant?.model ?? '',
    temperature: assistant?.temperature === null || !assistant ? '' : String(assistant.temperature),
    roles: assistant ? [...assistant.roles] : [...ASSISTANT_ROLES],
    widgetsAllowed: assistant?.widgets_allowed ?? false,
    tags: (assistant?.knowledge.tags ?? []).join(', '),
    documentIds: (assistant?.knowledge.document_ids ?? []).join(', '),
    greeting: assistant?.greeting ?? '',
    isDefault: assistant?.is_default ?? false,
  };
}

/** A comma- or space-separated list, without blanks or repeats. */
export function listOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * The request body of a form, or the field errors the console can tell before the API does
 * (empty name, a temperature outside 0–2). Empty prompt, model and temperature mean "the
 * tenant's" (null).
 */
export function assistantBodyOf(
  form: AssistantForm,
): { body: AssistantBody } | { errors: Partial<Record<keyof AssistantForm, string>> } {
  const errors: Partial<Record<keyof AssistantForm, string>> = {};
  if (!form.name.trim()) {
    errors.name = 'Give the assistant a name.';
  }
  const temperature = form.temperature.trim() === '' ? null : Number(form.temperature);
  if (
    temperature !== null &&
    (!Number.isFinite(temperature) || temperature < 0 || temperature > 2)
  ) {
    errors.temperature = 'A number from 0 to 2, or empty for the default.';
  }
  if (form.roles.length === 0) {
    errors.roles = 'Choose at least one role.';
  }
  if (Object.keys(errors).length > 0) {
    return { errors };
  }
  return {
    body: {
      name: form.name.trim(),
      description: form.description.trim(),
      system_prompt: form.systemPrompt.trim() || null,
      model: form.model || null,
      temperature,
      roles: form.roles,
      widgets_allowed: form.widgetsAllowed,
      knowledge: { tags: listOf(form.tags), document_ids: listOf(form.documentIds) },
      greeting: form.greeting.trim(),
      is_default: form.isDefault,
    },
  };
}
