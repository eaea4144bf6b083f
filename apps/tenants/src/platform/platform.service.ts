import { Injectable } from '@nestjs/common';

import type {
  CompanyRef,
  PlatformCaller,
  PlatformUserPage,
  PlatformUsersQuery,
} from '@tenantbot/contracts';
import { PlatformScope } from '@tenantbot/database';

import { requireRole } from '../security/caller';
import { PlatformRepository } from './platform.repository';

/**
 * The super admin's views across companies: every company's users, and companies' names for the
 * views other services answer (documents). The role is checked before any query.
 */
@Injectable()
export class PlatformService {
  constructor(
    private readonly repository: PlatformRepository,
    private readonly platform: PlatformScope,
  ) {}

  async users(caller: PlatformCaller, query: PlatformUsersQuery): Promise<PlatformUserPage> {
    requireRole(caller, 'super_admin');
    const { rows, total } = await this.repository.users(this.platform, query);
    return {
      items: rows.map((row) => ({
        ...row,
        last_login_at: row.last_login_at?.toISOString() ?? null,
        created_at: row.created_at.toISOString(),
        updated_at: row.updated_at.toISOString(),
      })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async companies(
    caller: PlatformCaller,
    ids: readonly string[],
  ): Promise<{ items: CompanyRef[] }> {
    requireRole(caller, 'super_admin');
    return { items: await this.repository.companies(this.platform, [...new Set(ids)]) };
  }
}
