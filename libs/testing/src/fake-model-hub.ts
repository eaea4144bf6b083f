import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

/**
 * A model hub on loopback: `GET /<owner>/<name>/resolve/<revision>/<file>` answers with the file
 * `<root>/<owner>/<name>/<file>`, as the Hugging Face hub serves a repository. Records every
 * request path, so a test can also prove that nothing was fetched.
 */
export class FakeModelHub {
  readonly requests: string[] = [];
  private readonly server: Server;

  private constructor(private readonly root: string) {
    this.server = createServer((request, response) => void this.serve(request, response));
  }

  static async start(root: string): Promise<FakeModelHub> {
    const hub = new FakeModelHub(normalize(root));
    await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', resolve));
    return hub;
  }

  /** The hub's base URL, for EMBEDDING_MODEL_HOST. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://hub').pathname);
    this.requests.push(path);
    const match = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(path);
    const file = match && normalize(join(this.root, match[1], match[2]));
    const body = file?.startsWith(this.root + sep) ? await readFile(file).catch(() => null) : null;
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length }).end(body);
  }
}
