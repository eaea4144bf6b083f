export const ROLES = ['super_admin', 'tenant_admin', 'agent', 'user', 'readonly'] as const;
export type Role = (typeof ROLES)[number];
