/** Puts a password (kept in a secret, apart from the URL) into a connection URL. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) {
    return url;
  }
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The role the services connect as: row-level security confines it to one tenant. */
export const APP_ROLE = 'tenantbot_app';

/**
 * The role of platform reads across tenants (`PlatformScope`): the tenant policies let it
 * through by name (a policy `TO tenantbot_platform`), so the app role cannot become it by
 * any setting. Fixed, because the migrations name it.
 */
export const PLATFORM_ROLE = 'tenantbot_platform';

/** The services' URL: the owner's, with the app role as user, unless given explicitly. */
export function appUrlFrom(ownerUrl: string, appUrl: string | undefined): string {
  return appUrl ?? withUser(ownerUrl, APP_ROLE);
}

/** The platform role's URL: the owner's, with the platform role as user, unless given explicitly. */
export function platformUrlFrom(ownerUrl: string, platformUrl: string | undefined): string {
  return platformUrl ?? withUser(ownerUrl, PLATFORM_ROLE);
}

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  return parsed.toString();
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
