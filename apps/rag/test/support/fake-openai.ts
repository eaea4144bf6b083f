import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
}

/**
 * An OpenAI-compatible embeddings endpoint on loopback (POST /v1/embeddings). Vectors are
 * derived from the input text, so equal texts embed equally. Queued answers (429, 503, 401)
 * are served first, then successes; every answer may be delayed.
 */
export class FakeOpenAI {
  readonly requests: { input: string[]; model: string; authorization?: string }[] = [];
  private readonly queued: FakeAnswer[] = [];
  delayMs = 0;

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
  ) {}

  static async start(dimensions = 8): Promise<FakeOpenAI> {
    const ready: { fake?: FakeOpenAI } = {};
    const server = createServer((request, response) => {
      void ready.fake?.handle(request, response, dimensions);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ready.fake = new FakeOpenAI(server, `http://127.0.0.1:${port}/v1`);
    return ready.fake;
  }

  /** The next requests get these answers, in order. */
  answerNext(...answers: FakeAnswer[]): void {
    this.queued.push(...answers);
  }

  reset(): void {
    this.requests.length = 0;
    this.queued.length = 0;
    this.delayMs = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse, dimensions: number) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      input: string[] | string;
      model: string;
    };
    const input = Array.isArray(body.input) ? body.input : [body.input];
    this.requests.push({ input, model: body.model, authorization: request.headers.authorization });
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    if (request.method !== 'POST' || request.url !== '/v1/embeddings') {
      return send(response, 404, { error: { message: 'not found' } });
    }
    const answer = this.queued.shift();
    if (answer) {
      return send(
        response,
        answer.status,
        { error: { message: `fake ${answer.status}`, type: 'fake' } },
        answer.headers,
      );
    }
    send(response, 200, {
      object: 'list',
      model: body.model,
      data: input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: vectorOf(text, dimensions),
      })),
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    });
  }
}

function vectorOf(text: string, dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, (_, i) => ((text.length + i * 7) % 13) + 1);
  const length = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / length);
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
