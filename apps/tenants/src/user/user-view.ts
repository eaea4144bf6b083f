import type { UserView } from '@tenantbot/contracts';

import type { UserRecord } from './user.repository';

export function toUserView(row: UserRecord): UserView {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    username: row.username,
    email: row.email,
    role: row.role,
    is_active: row.is_active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
