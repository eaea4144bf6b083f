import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';

import type { TenantId } from '@tenantbot/contracts';
import {
  type AcrossTenants,
  type InTenant,
  type Row,
  TenantScopedRepository,
} from '@tenantbot/database';

export type RefreshTokenRecord = Row<'refresh_tokens'>;

export interface NewRefreshToken {
  tenantId: TenantId | null;
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

/**
 * Refresh tokens, stored hashed. A presented token names neither its tenant nor its user, so
 * finding one crosses tenants; issuing one happens in the user's tenant (or the platform).
 */
@Injectable()
export class RefreshTokenRepository extends TenantScopedRepository {
  async insert(scope: InTenant | AcrossTenants, token: NewRefreshToken): Promise<void> {
    await this.query(scope, (db) =>
      db
        .insertInto('refresh_tokens')
        .values({
          tenant_id: token.tenantId,
          user_id: token.userId,
          family_id: token.familyId,
          token_hash: token.tokenHash,
          expires_at: token.expiresAt,
        })
        .execute(),
    );
  }

  /** Locks the row: two refreshes racing with one token cannot both succeed. */
  findByHashForUpdate(
    platform: AcrossTenants,
    tokenHash: string,
  ): Promise<RefreshTokenRecord | undefined> {
    return this.query(platform, (db) =>
      db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .forUpdate()
        .executeTakeFirst(),
    );
  }

  async markUsed(platform: AcrossTenants, id: string): Promise<void> {
    await this.query(platform, (db) =>
      db
        .updateTable('refresh_tokens')
        .set({ used_at: sql`now()` })
        .where('id', '=', id)
        .execute(),
    );
  }

  async revokeFamily(platform: AcrossTenants, familyId: string): Promise<void> {
    await this.query(platform, (db) =>
      db
        .updateTable('refresh_tokens')
        .set({ revoked_at: sql`now()` })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .execute(),
    );
  }

  async revokeAllOfUser(scope: InTenant | AcrossTenants, userId: string): Promise<void> {
    await this.query(scope, (db) =>
      db
        .updateTable('refresh_tokens')
        .set({ revoked_at: sql`now()` })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute(),
    );
  }
}
