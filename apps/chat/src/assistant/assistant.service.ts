import { Injectable } from '@nestjs/common';

import {
  type AssistantCreate,
  type AssistantUpdate,
  type AssistantView,
  type Caller,
  DomainError,
  ErrorCode,
  type Page,
  type Pagination,
  type TenantId,
  type UsableAssistant,
} from '@tenantbot/contracts';
import { type ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import { ModelsService } from '../models/models.service';
import { TenantConfigService } from '../tenant-config/tenant-config.service';
import {
  type AssistantColumns,
  AssistantRepository,
  type AssistantRow,
} from './assistant.repository';
import { AssistantChoices } from './assistant-choices';
import {
  firstFreeSlug,
  mayUse,
  slugOf,
  toAssistantView,
  toUsableAssistant,
} from './assistant-view';

const MANAGERS: readonly Caller['role'][] = ['tenant_admin', 'super_admin'];

/**
 * A tenant's assistants: managed by its admins, chosen by chat requests. A tenant always has
 * exactly one default (made on first use for a tenant that has none); setting another default
 * moves it in the same transaction, and the default can be neither deleted nor unset — make
 * another one the default first. An assistant of another tenant does not exist for the caller.
 */
@Injectable()
export class AssistantService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly assistants: AssistantRepository,
    private readonly tenants: TenantConfigService,
    private readonly models: ModelsService,
    private readonly choices: AssistantChoices,
  ) {}

  async list(caller: Caller, page: Pagination): Promise<Page<AssistantView>> {
    const tenantId = managersTenant(caller);
    await this.assistants.ensureDefault(tenantId);
    const { items, total } = await this.assistants.page(tenantId, page);
    return { items: items.map(toAssistantView), total, ...page };
  }

  async get(caller: Caller, id: string): Promise<AssistantView> {
    const tenantId = managersTenant(caller);
    await this.assistants.ensureDefault(tenantId);
    return toAssistantView(await this.mustFind(tenantId, id));
  }

  async create(caller: Caller, input: AssistantCreate): Promise<AssistantView> {
    const tenantId = managersTenant(caller);
    await this.requireAllowedModel(caller, input.model);
    await this.assistants.ensureDefault(tenantId);
    const created = await this.database.transaction(tenantId, async (tx) => {
      await this.assistants.lockTenant(tx);
      const slug = input.slug
        ? await this.freeSlug(tx, input.slug)
        : firstFreeSlug(
            slugOf(input.name),
            await this.assistants.slugsLike(tx, slugOf(input.name)),
          );
      if (input.is_default) {
        await this.assistants.clearDefault(tx);
      }
      const { knowledge, ...fields } = input;
      const inserted = await this.assistants.insert(tx, {
        ...fields,
        slug,
        knowledge_document_ids: knowledge.document_ids ?? null,
        knowledge_tags: knowledge.tags ?? null,
      });
      return toAssistantView(inserted);
    });
    await this.choices.changed(tenantId);
    return created;
  }

  async update(caller: Caller, id: string, input: AssistantUpdate): Promise<AssistantView> {
    const tenantId = managersTenant(caller);
    if (input.model !== undefined) {
      await this.requireAllowedModel(caller, input.model);
    }
    const updated = await this.database.transaction(tenantId, async (tx) => {
      await this.assistants.lockTenant(tx);
      const stored = await this.mustFind(tx, id);
      if (stored.is_default && input.is_default === false) {
        throw new DomainError(
          ErrorCode.ASSISTANT_IS_DEFAULT,
          'the default assistant stays the default until another one is made the default',
        );
      }
      if (input.slug !== undefined && input.slug !== stored.slug) {
        await this.freeSlug(tx, input.slug, id);
      }
      if (input.is_default && !stored.is_default) {
        await this.assistants.clearDefault(tx);
      }
      return toAssistantView(await this.assistants.update(tx, id, merged(stored, input)));
    });
    await this.choices.changed(tenantId);
    return updated;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const tenantId = managersTenant(caller);
    await this.database.transaction(tenantId, async (tx) => {
      await this.assistants.lockTenant(tx);
      const stored = await this.mustFind(tx, id);
      if (stored.is_default) {
        throw new DomainError(
          ErrorCode.ASSISTANT_IS_DEFAULT,
          'the default assistant cannot be deleted: make another one the default first',
        );
      }
      await this.assistants.delete(tx, id);
    });
    await this.choices.changed(tenantId);
  }

  /** The assistants the caller may chat with: by its role, or for a visitor those of widgets. */
  async usable(caller: Caller, page: Pagination): Promise<Page<UsableAssistant>> {
    await this.assistants.ensureDefault(caller.tenantId);
    const usable = (await this.assistants.all(caller.tenantId)).filter((row) =>
      mayUse(caller, row),
    );
    return {
      items: usable.slice(page.offset, page.offset + page.limit).map(toUsableAssistant),
      total: usable.length,
      ...page,
    };
  }

  /**
   * The assistant that answers an exchange: the one asked for, else the conversation's (while
   * the caller may still use it), else the tenant's default. ASSISTANT_NOT_FOUND for an id the
   * tenant does not have; ASSISTANT_FORBIDDEN when the caller may not use the one it named,
   * or the default when it named none.
   */
  async forExchange(
    caller: Caller,
    requested: string | undefined,
    conversationId?: string,
  ): Promise<AssistantRow> {
    const load = () =>
      this.assistants.candidatesForExchange(caller.tenantId, requested, conversationId);
    // A conversation's assistant is read with the conversation; the others are cached.
    const candidates =
      conversationId === undefined
        ? await this.choices.candidates(caller.tenantId, requested, load)
        : await load();
    if (requested !== undefined) {
      const asked = candidates.find((row) => row.id === requested);
      if (!asked) {
        throw new DomainError(ErrorCode.ASSISTANT_NOT_FOUND, 'assistant not found');
      }
      return requireUse(caller, asked);
    }
    const ofConversation = candidates.find((row) => !row.is_default);
    if (ofConversation && mayUse(caller, ofConversation)) {
      return ofConversation;
    }
    const byDefault =
      candidates.find((row) => row.is_default) ??
      (await this.assistants.ensureDefault(caller.tenantId));
    return requireUse(caller, byDefault);
  }

  private async mustFind(scope: TenantId | ScopedTransaction, id: string): Promise<AssistantRow> {
    const found = await this.assistants.findById(scope, id);
    if (!found) {
      throw new DomainError(ErrorCode.ASSISTANT_NOT_FOUND, 'assistant not found');
    }
    return found;
  }

  private async freeSlug(tx: ScopedTransaction, slug: string, exceptId?: string): Promise<string> {
    if (await this.assistants.slugTaken(tx, slug, exceptId)) {
      throw new DomainError(
        ErrorCode.ASSISTANT_SLUG_TAKEN,
        `another assistant of this tenant is called "${slug}"`,
        { field: 'slug' },
      );
    }
    return slug;
  }

  /** A model the tenant allows, or none (its default): checked when written, 400 otherwise. */
  private async requireAllowedModel(caller: Caller, model: string | null): Promise<void> {
    if (model === null) {
      return;
    }
    const policy = this.models.policyFor(await this.tenants.runtimeConfig(caller));
    try {
      policy.choose(model);
    } catch (error) {
      if (!(error instanceof DomainError)) {
        throw error;
      }
      throw new DomainError(
        ErrorCode.ASSISTANT_MODEL_NOT_ALLOWED,
        `model: this tenant may not use "${model}"`,
        { field: 'model', allowed_models: policy.catalog().models.map((spec) => spec.id) },
      );
    }
  }
}

function managersTenant(caller: Caller): TenantId {
  if (!MANAGERS.includes(caller.role)) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'assistants are managed by tenant admins');
  }
  return caller.tenantId;
}

function requireUse(caller: Caller, assistant: AssistantRow): AssistantRow {
  if (!mayUse(caller, assistant)) {
    throw new DomainError(
      ErrorCode.ASSISTANT_FORBIDDEN,
      caller.visitor
        ? 'this assistant is not available to website visitors'
        : `the role ${caller.role} may not use this assistant`,
    );
  }
  return assistant;
}

function merged(stored: AssistantRow, input: AssistantUpdate): AssistantColumns {
  return {
    name: input.name ?? stored.name,
    slug: input.slug ?? stored.slug,
    description: input.description ?? stored.description,
    system_prompt: input.system_prompt === undefined ? stored.system_prompt : input.system_prompt,
    model: input.model === undefined ? stored.model : input.model,
    temperature: input.temperature === undefined ? stored.temperature : input.temperature,
    roles: input.roles ?? stored.roles,
    widgets_allowed: input.widgets_allowed ?? stored.widgets_allowed,
    knowledge_document_ids: input.knowledge
      ? (input.knowledge.document_ids ?? null)
      : stored.knowledge_document_ids,
    knowledge_tags: input.knowledge ? (input.knowledge.tags ?? null) : stored.knowledge_tags,
    greeting: input.greeting ?? stored.greeting,
    is_default: input.is_default ?? stored.is_default,
  };
}
