import { randomBytes } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import {
  type ApiKeyCreate,
  type ApiKeyView,
  type Caller,
  type CreatedApiKey,
  DomainError,
  ErrorCode,
} from '@tenantbot/contracts';

import { AccessChanges } from '../events/access-changes';
import { requireRole } from '../security/caller';
import { sha256 } from '../security/opaque-tokens';
import { type ApiKeyRecord, ApiKeyRepository } from './api-key.repository';

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** API keys of the caller's tenant: `tbk_<prefix>_<secret>`, the secret shown once. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly accessChanges: AccessChanges,
  ) {}

  async list(caller: Caller): Promise<ApiKeyView[]> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    return (await this.apiKeys.listActive(caller.tenantId)).map(toApiKeyView);
  }

  async create(caller: Caller, input: ApiKeyCreate): Promise<CreatedApiKey> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    const prefix = Array.from(
      randomBytes(8),
      (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length],
    ).join('');
    const secret = randomBytes(32).toString('base64url');
    const row = await this.apiKeys.insert(caller.tenantId, {
      tenant_id: caller.tenantId,
      name: input.name,
      prefix,
      secret_hash: sha256(secret),
      role: input.role,
      expires_at: input.expires_at ? new Date(input.expires_at) : null,
      created_by: caller.userId ?? null,
    });
    return { ...toApiKeyView(row), key: `tbk_${prefix}_${secret}` };
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    requireRole(caller, 'tenant_admin', 'super_admin');
    if (!(await this.apiKeys.revoke(caller.tenantId, id))) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'API key not found');
    }
    await this.accessChanges.announce({ kind: 'api_key', tenantId: caller.tenantId, apiKeyId: id });
  }
}

function toApiKeyView(row: ApiKeyRecord): ApiKeyView {
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
