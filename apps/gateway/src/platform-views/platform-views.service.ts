import { Injectable } from '@nestjs/common';

import {
  type PlatformDocumentPage,
  type PlatformDocumentsQuery,
  type PlatformUserPage,
  type PlatformUsersQuery,
  RAG,
  TENANTS,
} from '@tenantbot/contracts';
import { RedisStreamsClient } from '@tenantbot/transport';

/**
 * The super admin's views across companies. Users come named from the tenants service, which
 * owns both tables; documents come from the rag service by tenant id, and the companies' names
 * from one batch lookup in the tenants service (each service keeps to its own tables).
 */
@Injectable()
export class PlatformViewsService {
  constructor(private readonly transport: RedisStreamsClient) {}

  async documents(query: PlatformDocumentsQuery): Promise<PlatformDocumentPage> {
    const page = await this.transport.request(RAG.PLATFORM_DOCUMENTS, query);
    const ids = [...new Set(page.items.map((item) => item.tenant_id))];
    const { items: companies } = await this.transport.request(TENANTS.COMPANY_REFS, { ids });
    const byId = new Map(companies.map((company) => [company.id, company]));
    return {
      ...page,
      items: page.items.map(({ tenant_id, ...document }) => ({
        // A company deleted between the two calls still has its id shown.
        company: byId.get(tenant_id) ?? { id: tenant_id, name: tenant_id, slug: '' },
        ...document,
      })),
    };
  }

  users(query: PlatformUsersQuery): Promise<PlatformUserPage> {
    return this.transport.request(TENANTS.PLATFORM_USERS, query);
  }
}
