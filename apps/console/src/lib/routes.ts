import type { Role } from '../api/types';

export interface RouteInfo {
  path: string;
  label: string;
  roles: readonly Role[];
}

/** The console's pages, by who may see them; the first a role may see is its home. */
export const ROUTES: readonly RouteInfo[] = [
  { path: 'profile', label: 'Company profile', roles: ['tenant_admin'] },
  { path: 'knowledge', label: 'Knowledge base', roles: ['tenant_admin'] },
  { path: 'assistants', label: 'Assistants', roles: ['tenant_admin'] },
  { path: 'widgets', label: 'Widgets', roles: ['tenant_admin'] },
  { path: 'api-keys', label: 'API keys', roles: ['tenant_admin'] },
  { path: 'users', label: 'Users', roles: ['tenant_admin'] },
  { path: 'webhooks', label: 'Webhooks', roles: ['tenant_admin'] },
  { path: 'usage', label: 'Usage', roles: ['tenant_admin'] },
  { path: 'companies', label: 'Companies', roles: ['super_admin'] },
  { path: 'platform', label: 'Platform analytics', roles: ['super_admin'] },
  { path: 'all-documents', label: 'All documents', roles: ['super_admin'] },
  { path: 'all-agents', label: 'All agents', roles: ['super_admin'] },
  { path: 'inbox', label: 'Inbox', roles: ['agent', 'tenant_admin'] },
];

export const BASE = '/console';

export function routesFor(role: Role): RouteInfo[] {
  return ROUTES.filter((route) => route.roles.includes(role));
}

/** The page of a location's path (`/console/widgets` → `widgets`), if the role may see it. */
export function resolveRoute(pathname: string, role: Role): RouteInfo {
  const allowed = routesFor(role);
  const page = pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length + 1).split('/')[0] : '';
  return allowed.find((route) => route.path === page) ?? allowed[0] ?? NO_ACCESS;
}

export const NO_ACCESS: RouteInfo = { path: '', label: 'No access', roles: [] };
