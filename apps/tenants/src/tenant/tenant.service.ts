import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import {
  DomainError,
  ErrorCode,
  fieldsNotWritableByTenantAdmin,
  isTenantId,
  type ModelCatalog,
  type Page,
  type Pagination,
  type PlatformCaller,
  TENANT_EVENTS,
  type TenantCreate,
  type TenantId,
  tenantIdOf,
  type TenantRuntimeConfig,
  type TenantUpdate,
  type TenantView,
} from '@tenantbot/contracts';
import { PlatformScope, type ScopedTransaction, TenantDatabase } from '@tenantbot/database';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { DomainClaims } from '../domain/domain-claims';
import type { DomainClaimant } from '../domain/domain-policy';
import { AccessChanges } from '../events/access-changes';
import { EventOutbox } from '../events/event-outbox';
import { requireRole, requireTenant } from '../security/caller';
import { SecretBox } from '../security/secret-box';
import { type TenantColumns, type TenantRecord, TenantRepository } from './tenant.repository';
import { toTenantView } from './tenant-view';

type ProviderKeys = TenantRecord['provider_keys'];

/**
 * Tenants: the super admin manages every one (the list is its platform view; one tenant is
 * read and written in that tenant's scope), a tenant admin reads and edits its own.
 */
@Injectable()
export class TenantService {
  private readonly secrets: SecretBox;
  private readonly models: ModelCatalog;

  constructor(
    private readonly database: TenantDatabase,
    private readonly platform: PlatformScope,
    private readonly tenants: TenantRepository,
    private readonly domainClaims: DomainClaims,
    private readonly outbox: EventOutbox,
    private readonly accessChanges: AccessChanges,
    @Inject(TENANTS_CONFIG) config: TenantsConfig,
  ) {
    this.secrets = new SecretBox(config.ENCRYPTION_KEY);
    this.models = config.modelCatalog;
  }

  async list(caller: PlatformCaller, page: Pagination): Promise<Page<TenantView>> {
    requireRole(caller, 'super_admin');
    const result = await this.tenants.list(this.platform, page);
    return { ...result, items: result.items.map(toTenantView) };
  }

  /** A new tenant is written in its own scope: its id is chosen before the insert. */
  async create(caller: PlatformCaller, input: TenantCreate): Promise<TenantView> {
    requireRole(caller, 'super_admin');
    this.assertCatalogModels(input);
    const id = tenantIdOf(randomUUID());
    if (input.domains) {
      await this.domainClaims.assertClaimable(null, input.domains, 'super_admin');
    }
    const created = await this.database.transaction(id, (tx) => this.insert(tx, input));
    // Its domains may now resolve a Host that resolved to no tenant before.
    await this.accessChanges.announce({ kind: 'tenant', tenantId: created.id });
    return created;
  }

  async get(caller: PlatformCaller, id: string): Promise<TenantView> {
    requireRole(caller, 'super_admin');
    const tenantId = existingTenantId(id);
    return toTenantView(await this.mustFind(tenantId));
  }

  async update(caller: PlatformCaller, id: string, input: TenantUpdate): Promise<TenantView> {
    requireRole(caller, 'super_admin');
    return this.applyUpdate(existingTenantId(id), input, 'super_admin');
  }

  /** The caller's own tenant (tenant admin, or a super admin naming it in X-Tenant-ID). */
  async getOwn(caller: PlatformCaller): Promise<TenantView> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = requireTenant(caller);
    return toTenantView(await this.mustFind(tenantId));
  }

  /**
   * A tenant admin writes only TENANT_ADMIN_WRITABLE_FIELDS, and its new domains stay pending
   * until verified; a super admin writes anything.
   */
  async updateOwn(caller: PlatformCaller, input: TenantUpdate): Promise<TenantView> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = requireTenant(caller);
    if (caller.role === 'super_admin') {
      return this.applyUpdate(tenantId, input, 'super_admin');
    }
    const refused = fieldsNotWritableByTenantAdmin(input);
    if (refused.length > 0) {
      throw new DomainError(
        ErrorCode.FIELD_NOT_WRITABLE,
        `only the super admin may change: ${refused.join(', ')}`,
        { fields: refused },
      );
    }
    return this.applyUpdate(tenantId, input, 'tenant_admin');
  }

  /** The tenant a service acts for, with its provider keys opened (internal, no HTTP route). */
  async runtimeConfig(tenantId: TenantId): Promise<TenantRuntimeConfig> {
    const tenant = await this.mustFind(tenantId);
    const { openai, anthropic } = tenant.provider_keys;
    return {
      ...toTenantView(tenant),
      provider_keys: {
        ...(openai ? { openai: this.secrets.open(openai) } : {}),
        ...(anthropic ? { anthropic: this.secrets.open(anthropic) } : {}),
      },
    };
  }

  /**
   * Deletes the tenant's rows here (users, keys and tokens follow by foreign key) and
   * announces `tenant.deleted` through the outbox, so every service removes its own data.
   */
  async delete(caller: PlatformCaller, id: string): Promise<void> {
    requireRole(caller, 'super_admin');
    const tenantId = existingTenantId(id);
    await this.database.transaction(tenantId, async (tx) => {
      if (!(await this.tenants.delete(tx, tenantId))) {
        throw tenantNotFound();
      }
      await this.outbox.record(tx, TENANT_EVENTS.DELETED, { tenantId });
    });
    await this.accessChanges.announce({ kind: 'tenant', tenantId });
    this.outbox.relaySoon();
  }

  private async insert(tx: ScopedTransaction, input: TenantCreate): Promise<TenantView> {
    const { domains, ...settings } = input;
    await this.tenants.insert(tx, {
      ...this.toColumns(settings, {}),
      name: input.name,
      slug: input.slug,
    });
    if (domains) {
      await this.domainClaims.replace(tx, domains, 'super_admin');
    }
    return toTenantView(await this.mustFind(tx));
  }

  private async applyUpdate(
    tenantId: TenantId,
    input: TenantUpdate,
    claimant: DomainClaimant,
  ): Promise<TenantView> {
    this.assertCatalogModels(input);
    const { domains, ...settings } = input;
    if (domains) {
      await this.domainClaims.assertClaimable(tenantId, domains, claimant);
    }
    const updated = await this.database.transaction(tenantId, async (tx) => {
      const current = await this.mustFind(tx);
      await this.tenants.update(tx, tenantId, this.toColumns(settings, current.provider_keys));
      if (domains) {
        await this.domainClaims.replace(tx, domains, claimant);
      }
      return toTenantView(await this.mustFind(tx));
    });
    await this.accessChanges.announce({ kind: 'tenant', tenantId });
    return updated;
  }

  /**
   * `allowed_models` and `default_model` name models of the catalog (ids or aliases): a name
   * it does not know would leave the tenant without the model it expects.
   */
  private assertCatalogModels(input: Pick<TenantUpdate, 'allowed_models' | 'default_model'>) {
    const unknown = (name: string) => this.models.resolve(name) === undefined;
    const problems = [
      ...(input.allowed_models ?? []).filter(unknown).map((name) => ({
        field: 'allowed_models',
        message: `"${name}" is not in the model catalog`,
      })),
      ...(input.default_model && unknown(input.default_model)
        ? [
            {
              field: 'default_model',
              message: `"${input.default_model}" is not in the model catalog`,
            },
          ]
        : []),
    ];
    if (problems.length > 0) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}; ` +
          `the catalog: ${this.models.ids().join(', ')}`,
        problems,
      );
    }
  }

  /** API fields to columns; provider keys are sealed, and null removes one. */
  private toColumns(input: Omit<TenantUpdate, 'domains'>, storedKeys: ProviderKeys): TenantColumns {
    const { rag, provider_keys, ...plain } = input;
    const columns: TenantColumns = { ...plain };
    if (rag) {
      columns.rag_settings = rag;
    }
    if (provider_keys) {
      const keys: ProviderKeys = { ...storedKeys };
      for (const provider of ['openai', 'anthropic'] as const) {
        const value = provider_keys[provider];
        if (value === null) {
          delete keys[provider];
        } else if (value !== undefined) {
          keys[provider] = this.secrets.seal(value);
        }
      }
      columns.provider_keys = keys;
    }
    return columns;
  }

  /** The tenant of the scope: a tenant sees its own row only. */
  private async mustFind(tenant: TenantId | ScopedTransaction): Promise<TenantRecord> {
    const id = typeof tenant === 'string' ? tenant : tenant.tenantId;
    const found = await this.tenants.findById(tenant, id);
    if (!found) {
      throw tenantNotFound();
    }
    return found;
  }
}

/** A tenant named by id in a path: one that is not a UUID names no tenant. */
function existingTenantId(id: string): TenantId {
  if (!isTenantId(id)) {
    throw tenantNotFound();
  }
  return id;
}

function tenantNotFound(): DomainError {
  return new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
}
