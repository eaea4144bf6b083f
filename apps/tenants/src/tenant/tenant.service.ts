import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  ErrorCode,
  TENANT_EVENTS,
  fieldsNotWritableByTenantAdmin,
  type Page,
  type Pagination,
  type TenantRuntimeConfig,
  type TenantView,
  type tenantCreateSchema,
  type tenantRegistrationSchema,
  type tenantUpdateSchema,
  type TokenResponse,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { AuthService } from '../auth/auth.service';
import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { DomainService } from '../domain/domain.service';
import type { DomainClaimant } from '../domain/domain-policy';
import { AccessChanges } from '../events/access-changes';
import { EventOutbox } from '../events/event-outbox';
import { requireRole, requireTenantId } from '../security/access';
import { SecretBox } from '../security/secret-box';
import { hashPassword } from '../security/passwords';
import { UserRepository } from '../user/user.repository';
import { TenantRepository, type TenantColumns, type TenantRow } from './tenant.repository';

type TenantUpdate = z.output<typeof tenantUpdateSchema>;
type ProviderKeys = TenantRow['provider_keys'];

@Injectable()
export class TenantService {
  private readonly secrets: SecretBox;

  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
    @Inject(AccessChanges) private readonly accessChanges: AccessChanges,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(DomainService) private readonly domains: DomainService,
    @Inject(TENANTS_CONFIG) private readonly config: TenantsConfig,
  ) {
    this.secrets = new SecretBox(config.ENCRYPTION_KEY);
  }

  list(page: Pagination): Promise<Page<TenantView>> {
    requireRole('super_admin');
    return this.scope.runAcrossTenants(async (db) => {
      const result = await this.tenants.list(db, page);
      return { ...result, items: result.items.map(toView) };
    });
  }

  async create(input: z.output<typeof tenantCreateSchema>): Promise<TenantView> {
    requireRole('super_admin');
    if (input.domains) await this.domains.assertClaimable(null, input.domains, 'super_admin');
    const created = await this.scope.runAcrossTenants((db) => this.insertTenant(db, input));
    // Its domains may now resolve a Host that resolved to no tenant before.
    await this.accessChanges.announce({ kind: 'tenant', tenantId: created.id });
    return created;
  }

  get(id: string): Promise<TenantView> {
    requireRole('super_admin');
    return this.scope.runAcrossTenants(async (db) => toView(await this.mustFind(db, id)));
  }

  async update(id: string, input: TenantUpdate): Promise<TenantView> {
    requireRole('super_admin');
    if (input.domains) await this.domains.assertClaimable(id, input.domains, 'super_admin');
    const updated = await this.scope.runAcrossTenants((db) =>
      this.applyUpdate(db, id, input, 'super_admin'),
    );
    await this.accessChanges.announce({ kind: 'tenant', tenantId: id });
    return updated;
  }

  /** The caller's own tenant (tenant admin, or a super admin naming it in X-Tenant-ID). */
  getOwn(): Promise<TenantView> {
    requireRole('tenant_admin', 'super_admin');
    const tenantId = requireTenantId();
    return this.scope.run(tenantId, async (db) => toView(await this.mustFind(db, tenantId)));
  }

  /**
   * A tenant admin writes only TENANT_ADMIN_WRITABLE_FIELDS, and its new domains stay pending
   * until verified; a super admin writes anything.
   */
  async updateOwn(input: TenantUpdate): Promise<TenantView> {
    const principal = requireRole('tenant_admin', 'super_admin');
    const tenantId = requireTenantId();
    if (principal.role === 'tenant_admin') {
      const refused = fieldsNotWritableByTenantAdmin(input);
      if (refused.length > 0) {
        throw new DomainError(
          ErrorCode.FIELD_NOT_WRITABLE,
          `only the super admin may change: ${refused.join(', ')}`,
          { fields: refused },
        );
      }
    }
    const claimant = principal.role === 'super_admin' ? 'super_admin' : 'tenant_admin';
    if (input.domains) await this.domains.assertClaimable(tenantId, input.domains, claimant);
    const updated = await this.scope.run(tenantId, (db) =>
      this.applyUpdate(db, tenantId, input, claimant),
    );
    await this.accessChanges.announce({ kind: 'tenant', tenantId });
    return updated;
  }

  /** The tenant in context with its provider keys opened, for the services acting for it. */
  runtimeConfig(): Promise<TenantRuntimeConfig> {
    const tenantId = requireTenantId();
    return this.scope.run(tenantId, async (db) => {
      const tenant = await this.mustFind(db, tenantId);
      const { openai, anthropic } = tenant.provider_keys;
      return {
        ...toView(tenant),
        provider_keys: {
          ...(openai ? { openai: this.secrets.open(openai) } : {}),
          ...(anthropic ? { anthropic: this.secrets.open(anthropic) } : {}),
        },
      };
    });
  }

  /**
   * Deletes the tenant's rows here (users, keys and tokens follow by foreign key) and
   * announces `tenant.deleted` through the outbox, so every service removes its own data.
   */
  async delete(id: string): Promise<void> {
    requireRole('super_admin');
    await this.scope.runAcrossTenants(async (db) => {
      if (!(await this.tenants.delete(db, id))) throw notFound();
      await this.outbox.record(db, TENANT_EVENTS.DELETED, { tenantId: id });
    });
    await this.accessChanges.announce({ kind: 'tenant', tenantId: id });
    this.outbox.relaySoon();
  }

  /** Self-service sign-up: the tenant and its first admin, together or not at all. */
  async register(input: z.output<typeof tenantRegistrationSchema>): Promise<{
    tenant: TenantView;
    tokens: TokenResponse;
  }> {
    if (!this.config.ALLOW_SELF_REGISTRATION) {
      throw new DomainError(ErrorCode.FEATURE_DISABLED, 'self-service registration is disabled');
    }
    const { tenant, adminId } = await this.scope.runAcrossTenants(async (db) => {
      const created = await this.insertTenant(db, { name: input.company_name, slug: input.slug });
      const id = await this.users.insert(db, {
        tenant_id: created.id,
        username: input.admin.username,
        email: input.admin.email,
        password_hash: await hashPassword(input.admin.password),
        role: 'tenant_admin',
      });
      return { tenant: created, adminId: id };
    });
    return { tenant, tokens: await this.auth.issueTokens(adminId, tenant.id, 'tenant_admin') };
  }

  private async insertTenant(
    db: EntityManager,
    input: Partial<z.output<typeof tenantCreateSchema>> & { name: string; slug: string },
  ): Promise<TenantView> {
    const { domains, ...rest } = input;
    const id = await this.tenants.insert(db, {
      ...this.toColumns(rest, {}),
      name: input.name,
      slug: input.slug,
    });
    if (domains) await this.tenants.replaceDomains(db, id, domains, true);
    return toView(await this.mustFind(db, id));
  }

  private async applyUpdate(
    db: EntityManager,
    id: string,
    input: TenantUpdate,
    claimant: DomainClaimant,
  ): Promise<TenantView> {
    const current = await this.mustFind(db, id);
    const { domains, ...rest } = input;
    await this.tenants.update(db, id, this.toColumns(rest, current.provider_keys));
    if (domains) await this.tenants.replaceDomains(db, id, domains, claimant === 'super_admin');
    return toView(await this.mustFind(db, id));
  }

  /** API fields to columns; provider keys are sealed, and null removes one. */
  private toColumns(input: Omit<TenantUpdate, 'domains'>, storedKeys: ProviderKeys): TenantColumns {
    const { rag, provider_keys, ...plain } = input;
    const columns: TenantColumns = { ...plain };
    if (rag) columns.rag_settings = rag;
    if (provider_keys) {
      const keys: ProviderKeys = { ...storedKeys };
      for (const provider of ['openai', 'anthropic'] as const) {
        const value = provider_keys[provider];
        if (value === null) delete keys[provider];
        else if (value !== undefined) keys[provider] = this.secrets.seal(value);
      }
      columns.provider_keys = keys;
    }
    return columns;
  }

  private async mustFind(db: EntityManager, id: string): Promise<TenantRow> {
    const tenant = await this.tenants.findById(db, id);
    if (!tenant) throw notFound();
    return tenant;
  }
}

function notFound(): DomainError {
  return new DomainError(ErrorCode.TENANT_NOT_FOUND, 'tenant not found');
}

export function toView(row: TenantRow): TenantView {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    plan: row.plan as TenantView['plan'],
    is_active: row.is_active,
    system_prompt: row.system_prompt,
    default_model: row.default_model,
    allowed_models: row.allowed_models,
    rate_limits: row.rate_limits,
    rag: row.rag_settings,
    allowed_origins: row.allowed_origins,
    domains: row.domains,
    provider_keys: {
      openai: Boolean(row.provider_keys.openai),
      anthropic: Boolean(row.provider_keys.anthropic),
    },
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
