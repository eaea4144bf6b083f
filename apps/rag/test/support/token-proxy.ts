import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TokenHeader = 'x-chroma-token' | 'authorization';

/**
 * A loopback reverse proxy in front of the local Chroma that demands a token, as Chroma Cloud
 * or a token-auth server does: requests without it get 401 and never reach Chroma.
 */
export class TokenProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly tally: { forwarded: string[]; refused: number },
  ) {}

  /** Paths of the requests let through (they name the Chroma tenant and database). */
  get forwarded(): readonly string[] {
    return this.tally.forwarded;
  }

  /** Requests answered 401. */
  get refused(): number {
    return this.tally.refused;
  }

  static async start(target: string, header: TokenHeader, token: string): Promise<TokenProxy> {
    const upstream = new URL(target);
    const expected = header === 'authorization' ? `Bearer ${token}` : token;
    const tally = { forwarded: [] as string[], refused: 0 };
    const server = createServer((incoming, outgoing) => {
      if (incoming.headers[header] !== expected) {
        tally.refused += 1;
        incoming.resume();
        outgoing.writeHead(401, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify({ error: 'Unauthorized', message: 'missing or wrong token' }));
        return;
      }
      tally.forwarded.push(incoming.url ?? '');
      const headers: Record<string, string | string[] | undefined> = {
        ...incoming.headers,
        host: upstream.host,
      };
      delete headers[header];
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new TokenProxy(server, `http://127.0.0.1:${port}`, tally);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
