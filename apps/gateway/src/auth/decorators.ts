import { SetMetadata } from '@nestjs/common';

import type { Role } from '@tenantbot/contracts';

export const PUBLIC_ROUTE = 'tenantbot:public';
export const ALLOWED_ROLES = 'tenantbot:roles';

/** No credential needed (login, refresh, health, docs). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only these roles may call the route; without it, any authenticated principal may. */
export const Roles = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);
