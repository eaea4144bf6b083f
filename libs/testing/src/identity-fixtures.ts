import { randomUUID } from 'node:crypto';

import { ApiClient } from './api-client';

export const SUPER_ADMIN = { username: 'admin', password: 'admin' };
export const TENANT_ROLES = ['tenant_admin', 'agent', 'user', 'readonly'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export interface TenantFixture {
  id: string;
  slug: string;
  /** A client per role, logged in, with X-Tenant-ID set. */
  as: Record<TenantRole, ApiClient>;
  userIds: Record<TenantRole, string>;
  password: string;
}

export async function loginSuperAdmin(api: ApiClient): Promise<ApiClient> {
  const response = await api.post<{ access_token: string }>('/api/v1/auth/login', SUPER_ADMIN);
  if (response.status !== 200) {
    throw new Error(`super admin login failed: ${JSON.stringify(response.body)}`);
  }
  return api.as(response.body.access_token);
}

/** A tenant with one logged-in user per role, made through the API by the super admin. */
export async function createTenantWithUsers(
  superAdmin: ApiClient,
  name: string,
): Promise<TenantFixture> {
  const slug = `${name}-${randomUUID().slice(0, 8)}`;
  // Enterprise limits: a suite's own requests never trip the (tested elsewhere) rate limits.
  const created = await superAdmin.post<{ id: string }>('/api/v1/tenants/', {
    name,
    slug,
    plan: 'enterprise',
  });
  if (created.status !== 201) {
    throw new Error(`creating ${slug} failed: ${JSON.stringify(created.body)}`);
  }
  const inTenant = superAdmin.as(superAdmin.token, slug);
  const password = `pw-${randomUUID()}`;
  const as = {} as Record<TenantRole, ApiClient>;
  const userIds = {} as Record<TenantRole, string>;
  for (const role of TENANT_ROLES) {
    const user = await inTenant.post<{ id: string }>('/api/v1/admin/users', {
      username: `${role}-${name}`,
      email: `${role}@${slug}.test`,
      password,
      role,
    });
    if (user.status !== 201) {
      throw new Error(`creating ${role} failed: ${JSON.stringify(user.body)}`);
    }
    userIds[role] = user.body.id;
    const login = await superAdmin
      .as(undefined, slug)
      .withHeaders({ 'X-Forwarded-For': randomTestAddress() })
      .post<{ access_token: string }>('/api/v1/auth/login', {
        username: `${role}-${name}`,
        password,
      });
    if (login.status !== 200) {
      throw new Error(`login of ${role} failed: ${JSON.stringify(login.body)}`);
    }
    as[role] = superAdmin.as(login.body.access_token, slug);
  }
  return { id: created.body.id, slug, as, userIds, password };
}

/** Fixture logins come from their own (documentation-range) addresses, so they never use
 * up a test's per-address login limit when the gateway trusts X-Forwarded-For. */
function randomTestAddress(): string {
  return `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
}
