import { TenantsAndIdentities1732000000000 } from './1732000000000-tenants-and-identities';

/** Every migration, in order. Listed explicitly so the built app needs no file globbing. */
export const ALL_MIGRATIONS = [TenantsAndIdentities1732000000000];
