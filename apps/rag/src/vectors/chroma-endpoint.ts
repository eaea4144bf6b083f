/**
 * Where Chroma is and how to be let in: a local server (the default), a distributed
 * self-hosted one, or Chroma Cloud. Every request to it (client, hot path, heartbeat) carries
 * the same headers and names the same Chroma tenant and database.
 */
export interface ChromaEndpoint {
  readonly url: string;
  readonly tenant: string;
  readonly database: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ChromaSettings {
  CHROMA_URL: string;
  CHROMA_API_KEY?: string;
  CHROMA_AUTH_HEADER: 'x-chroma-token' | 'authorization';
  CHROMA_TENANT: string;
  CHROMA_DATABASE: string;
}

export const DEFAULT_CHROMA_TENANT = 'default_tenant';
export const DEFAULT_CHROMA_DATABASE = 'default_database';

export function chromaEndpoint(settings: ChromaSettings): ChromaEndpoint {
  return {
    url: settings.CHROMA_URL,
    tenant: settings.CHROMA_TENANT,
    database: settings.CHROMA_DATABASE,
    headers: authHeaders(settings),
  };
}

/** A local, unauthenticated Chroma at this URL (tests, benchmarks). */
export function localChromaEndpoint(url: string): ChromaEndpoint {
  return { url, tenant: DEFAULT_CHROMA_TENANT, database: DEFAULT_CHROMA_DATABASE, headers: {} };
}

function authHeaders({
  CHROMA_API_KEY,
  CHROMA_AUTH_HEADER,
}: ChromaSettings): Record<string, string> {
  if (!CHROMA_API_KEY) {
    return {};
  }
  return CHROMA_AUTH_HEADER === 'authorization'
    ? { authorization: `Bearer ${CHROMA_API_KEY}` }
    : { 'x-chroma-token': CHROMA_API_KEY };
}
