import { apiErrorOf } from './errors';
import type { TokenResponse } from './types';

type Fetch = (request: Request) => Promise<Response>;

export interface LoginInput {
  /** A tenant's slug or id; empty for the platform's super admin. */
  tenant: string;
  /** A username or an email address. */
  login: string;
  password: string;
}

/**
 * The signed-in session. Tokens live in this object only (never localStorage or cookies):
 * a reload signs out. A 401 refreshes once (the refresh token rotates: each is used once),
 * concurrent 401s share that one refresh, and a failed refresh ends the session.
 */
export class Session {
  private tokens: TokenResponse | undefined;
  private tenantRef: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly baseUrl: string,
    private readonly http: Fetch = (request) => fetch(request),
  ) {}

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  get tenant(): string | undefined {
    return this.tenantRef;
  }

  /** Called when the session ends by itself (refresh refused): the app shows the login. */
  onExpired(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login({ tenant, login, password }: LoginInput): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (tenant.trim()) {
      headers['x-tenant-id'] = tenant.trim();
    }
    const body = login.includes('@') ? { email: login, password } : { username: login, password };
    const response = await this.http(
      new Request(`${this.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      }),
    );
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      throw apiErrorOf(response.status, json);
    }
    this.tokens = json as TokenResponse;
    this.tenantRef = tenant.trim() || undefined;
  }

  async logout(): Promise<void> {
    const tokens = this.tokens;
    this.clear();
    if (tokens) {
      await this.http(
        new Request(`${this.baseUrl}/api/v1/auth/logout`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens.access_token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ refresh_token: tokens.refresh_token }),
        }),
      ).catch(() => undefined);
    }
  }

  /** The Authorization and X-Tenant-ID headers of the session. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.tokens) {
      headers.authorization = `Bearer ${this.tokens.access_token}`;
    }
    if (this.tenantRef) {
      headers['x-tenant-id'] = this.tenantRef;
    }
    return headers;
  }

  /**
   * The address of a WebSocket route with the session's access token and tenant in the query
   * (a browser sends no headers with the upgrade).
   */
  socketUrl(path: string): string {
    const url = new URL(path, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.tokens) {
      url.searchParams.set('token', this.tokens.access_token);
    }
    if (this.tenantRef) {
      url.searchParams.set('tenant', this.tenantRef);
    }
    return url.toString();
  }

  /** `fetch` with the session's credentials; the typed client sends every request through it. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const retry = request.clone();
    const response = await this.http(this.withCredentials(request));
    if (response.status !== 401 || !this.tokens) {
      return response;
    }
    if (!(await this.refresh())) {
      return response;
    }
    return this.http(this.withCredentials(retry));
  };

  /** Trades the refresh token for new tokens; false (and signed out) when refused. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async rotate(): Promise<boolean> {
    const refreshToken = this.tokens?.refresh_token;
    if (!refreshToken) {
      return false;
    }
    const response = await this.http(
      new Request(`${this.baseUrl}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      }),
    ).catch(() => undefined);
    if (!response?.ok) {
      this.expire();
      return false;
    }
    this.tokens = (await response.json()) as TokenResponse;
    return true;
  }

  private withCredentials(request: Request): Request {
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(this.headers())) {
      // A request naming its tenant (the super admin acting in one) keeps it.
      if (!(name === 'x-tenant-id' && headers.has(name))) {
        headers.set(name, value);
      }
    }
    return new Request(request, { headers });
  }

  private expire(): void {
    this.clear();
    for (const listener of this.listeners) {
      listener();
    }
  }

  private clear(): void {
    this.tokens = undefined;
    this.tenantRef = undefined;
  }
}
