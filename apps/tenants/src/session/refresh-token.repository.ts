import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface RefreshTokenRow {
  id: string;
  tenant_id: string | null;
  user_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

@Injectable()
export class RefreshTokenRepository {
  async insert(
    db: EntityManager,
    token: {
      tenantId: string | null;
      userId: string;
      familyId: string;
      tokenHash: string;
      expiresAt: Date;
    },
  ): Promise<void> {
    await db.query(
      `INSERT INTO refresh_tokens (tenant_id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [token.tenantId, token.userId, token.familyId, token.tokenHash, token.expiresAt],
    );
  }

  /** Locks the row: two refreshes racing with one token cannot both succeed. */
  async findByHashForUpdate(
    db: EntityManager,
    tokenHash: string,
  ): Promise<RefreshTokenRow | undefined> {
    const rows = (await db.query(`SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`, [
      tokenHash,
    ])) as RefreshTokenRow[];
    return rows[0];
  }

  async markUsed(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [id]);
  }

  async revokeFamily(db: EntityManager, familyId: string): Promise<void> {
    await db.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId],
    );
  }

  async revokeAllOfUser(db: EntityManager, userId: string): Promise<void> {
    await db.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
  }
}
