/** Puts a password (kept in a secret, apart from the URL) into a connection URL. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) {
    return url;
  }
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The services' URL: the owner's, with the app role as user, unless given explicitly. */
export function appUrlFrom(ownerUrl: string, appUrl: string | undefined): string {
  if (appUrl) {
    return appUrl;
  }
  const parsed = new URL(ownerUrl);
  parsed.username = 'tenantbot_app';
  parsed.password = '';
  return parsed.toString();
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
