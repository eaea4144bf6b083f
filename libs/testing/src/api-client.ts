import { request } from 'node:http';

/** Response bodies in tests are asserted field by field, not typed: `any` keeps them terse. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A client of the HTTP API as a user would drive it: a base URL, a Bearer, a tenant header. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
    readonly tenant?: string,
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  as(token: string | undefined, tenant?: string): ApiClient {
    return new ApiClient(this.baseUrl, token, tenant, this.extraHeaders);
  }

  withHeaders(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, this.token, this.tenant, {
      ...this.extraHeaders,
      ...headers,
    });
  }

  get<T = Json>(path: string) {
    return this.call<T>('GET', path);
  }
  post<T = Json>(path: string, body?: unknown) {
    return this.call<T>('POST', path, body);
  }
  put<T = Json>(path: string, body?: unknown) {
    return this.call<T>('PUT', path, body);
  }
  delete<T = Json>(path: string) {
    return this.call<T>('DELETE', path);
  }

  async call<T = Json>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.extraHeaders };
    if (this.token) {
      headers.authorization = `Bearer ${this.token}`;
    }
    if (this.tenant) {
      headers['x-tenant-id'] = this.tenant;
    }
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await send(new URL(path, this.baseUrl), method, headers, payload);
    let parsed: unknown = response.text;
    try {
      parsed = response.text ? JSON.parse(response.text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

/** node:http rather than fetch: fetch will not send a Host header of our choosing. */
function send(url: URL, method: string, headers: Record<string, string>, payload?: string) {
  return new Promise<{ status: number; text: string; headers: Headers }>((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value !== undefined) {
            responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
        }
        resolve({
          status: incoming.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          headers: responseHeaders,
        });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    if (payload !== undefined) {
      outgoing.write(payload);
    }
    outgoing.end();
  });
}
