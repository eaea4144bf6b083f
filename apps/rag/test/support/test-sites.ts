import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback HTTP server with fixed routes that counts every request it gets, by path. */
export class TestSite {
  readonly hits = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(routes: (origin: string) => Record<string, Route>): Promise<TestSite> {
    const ready: { site?: TestSite; table: Record<string, Route> } = { table: {} };
    const server = createServer((request, response) => {
      const path = request.url ?? '/';
      ready.site?.hits.set(path, (ready.site.hits.get(path) ?? 0) + 1);
      const route = ready.table[path] ?? text(404, 'text/plain', 'not found');
      route(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const site = new TestSite(server, `http://127.0.0.1:${port}`);
    ready.site = site;
    ready.table = routes(site.origin);
    return site;
  }

  get port(): number {
    return Number(new URL(this.origin).port);
  }

  get totalHits(): number {
    return [...this.hits.values()].reduce((sum, count) => sum + count, 0);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const text =
  (status: number, contentType: string, body: string | Buffer): Route =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  };

export const html = (body: string, title = 'Page'): Route =>
  text(
    200,
    'text/html; charset=utf-8',
    `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`,
  );

export const redirect =
  (location: string, status = 302): Route =>
  (_request, response) => {
    response.writeHead(status, { location });
    response.end();
  };
