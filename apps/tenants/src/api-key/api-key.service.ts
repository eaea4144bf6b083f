import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import type { z } from 'zod';

import type { Caller } from '@tenantbot/contracts';
import {
  type apiKeyCreateSchema,
  type ApiKeyView,
  type CreatedApiKey,
  DomainError,
  ErrorCode,
} from '@tenantbot/contracts';
import { TenantScope } from '@tenantbot/database';

import { AccessChanges } from '../events/access-changes';
import { requireRole } from '../security/caller';
import { sha256 } from '../security/opaque-tokens';
import { ApiKeyRepository, type ApiKeyRow } from './api-key.repository';

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** API keys of the caller's tenant: `tbk_<prefix>_<secret>`, the secret shown once. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly scope: TenantScope,
    private readonly apiKeys: ApiKeyRepository,
    private readonly accessChanges: AccessChanges,
  ) {}

  async list(caller: Caller): Promise<ApiKeyView[]> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    return this.scope.run(caller.tenantId, async (db) =>
      (await this.apiKeys.listActive(db)).map(toApiKeyView),
    );
  }

  async create(caller: Caller, input: z.output<typeof apiKeyCreateSchema>): Promise<CreatedApiKey> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = caller.tenantId;
    const prefix = Array.from(
      randomBytes(8),
      (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length],
    ).join('');
    const secret = randomBytes(32).toString('base64url');
    return this.scope.run(tenantId, async (db) => {
      const row = await this.apiKeys.insert(db, {
        tenant_id: tenantId,
        name: input.name,
        prefix,
        secret_hash: sha256(secret),
        role: input.role,
        expires_at: input.expires_at ? new Date(input.expires_at) : null,
        created_by: caller.userId ?? null,
      });
      return { ...toApiKeyView(row), key: `tbk_${prefix}_${secret}` };
    });
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const tenantId = caller.tenantId;
    await this.scope.run(tenantId, async (db) => {
      if (!(await this.apiKeys.revoke(db, id))) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'API key not found');
      }
    });
    await this.accessChanges.announce({ kind: 'api_key', tenantId, apiKeyId: id });
  }
}

function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    expires_at: row.expires_at ? row.expires_at.toISOString() : null,
    last_used_at: row.last_used_at ? row.last_used_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
  };
}
