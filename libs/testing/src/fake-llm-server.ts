import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type FakeProvider = 'openai' | 'anthropic';

/** A request the fake received, as tests want to inspect it. */
export interface FakeLlmRequest {
  provider: FakeProvider;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** The system prompt: OpenAI's system messages, or Anthropic's `system`. */
  system: string;
  /** The other messages, their text content joined. */
  messages: { role: string; content: string }[];
  /** The key it was called with (`Authorization: Bearer` or `x-api-key`). */
  apiKey?: string;
  receivedAt: number;
  /** The whole response was written. */
  completed: boolean;
  /** When the last byte of the response went out. */
  completedAt?: number;
  /** The client closed the connection before the response ended (a cancel or a timeout). */
  aborted: boolean;
}

/** How the fake answers one request. */
export interface FakeReply {
  /** The answer; default "This is a fake answer." */
  text?: string;
  /** An error status (500, 429, 401, …) answered with the provider's error body. */
  status?: number;
  /** Wait this long before the response headers (to trigger timeouts). */
  delayMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
  /** The streamed pieces; default: the text in word-sized pieces. */
  chunks?: string[];
  /** Drop the connection after streaming this many pieces (a provider dying mid-answer). */
  dropAfterChunks?: number;
  /** Reported usage; default: about 4 characters a token in, one token a piece out. */
  usage?: { input: number; output: number };
}

export type FakeScript = FakeReply | ((request: FakeLlmRequest) => FakeReply);

const DEFAULT_TEXT = 'This is a fake answer.';

/**
 * A fake OpenAI and Anthropic on loopback, for driving the real SDKs in tests: POST
 * /v1/chat/completions and POST /v1/messages, as JSON or as Server-Sent Events (usage in the
 * last chunk, like the real APIs). Scripted per provider: a default reply, plus one-shot
 * replies consumed in order. Records every request.
 */
export class FakeLlmServer {
  readonly requests: FakeLlmRequest[] = [];
  private readonly defaults = new Map<FakeProvider, FakeScript>();
  /** Cuts every pending delay short when the server closes. */
  private readonly closing = new AbortController();
  private readonly queues = new Map<FakeProvider, FakeScript[]>();

  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.handle(request.method ?? '', request.url ?? '', request.headers, chunks, response).catch(
        () => response.destroy(),
      );
    });
  });

  /** Listens on a free port of 127.0.0.1. */
  static async start(): Promise<FakeLlmServer> {
    const fake = new FakeLlmServer();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The server's base URL: OpenAI clients take `${url}/v1`, Anthropic clients `url`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Every later request of the provider gets this reply, unless a one-shot one is queued. */
  respond(provider: FakeProvider, script: FakeScript): this {
    this.defaults.set(provider, script);
    return this;
  }

  /** The next requests of the provider get these replies, in order. */
  enqueue(provider: FakeProvider, ...scripts: FakeScript[]): this {
    this.queues.set(provider, [...(this.queues.get(provider) ?? []), ...scripts]);
    return this;
  }

  /** Forgets replies and recorded requests. */
  reset(): void {
    this.defaults.clear();
    this.queues.clear();
    this.requests.length = 0;
  }

  /** The first recorded request that satisfies the predicate, waiting for it if need be. */
  async waitFor(
    predicate: (request: FakeLlmRequest) => boolean,
    timeoutMs = 5000,
  ): Promise<FakeLlmRequest> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.find(predicate);
      if (found) {
        return found;
      }
      if (Date.now() > until) {
        throw new Error(`no matching request within ${timeoutMs} ms`);
      }
      await sleep(20);
    }
  }

  close(): Promise<void> {
    this.closing.abort();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer[],
    response: ServerResponse,
  ): Promise<void> {
    const provider = providerOf(method, path);
    if (!provider) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `no route ${method} ${path}` } }));
      return;
    }
    const parsed = JSON.parse(Buffer.concat(body).toString('utf8') || '{}') as Record<
      string,
      unknown
    >;
    const request = describeRequest(provider, path, headers, parsed);
    this.requests.push(request);
    response.on('finish', () => {
      request.completed = true;
      request.completedAt = Date.now();
    });
    response.on('close', () => {
      if (!request.completed) {
        request.aborted = true;
      }
    });
    const reply = this.replyFor(request);
    if (reply.delayMs) {
      await this.pause(reply.delayMs);
    }
    if (response.destroyed) {
      return;
    }
    if (reply.status && reply.status >= 400) {
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(errorBody(provider, reply.status)));
    } else if (request.stream) {
      await this.streamReply(request, reply, response);
    } else {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(jsonReply(request, reply)));
    }
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.closing.signal }).catch(() => undefined);
  }

  private replyFor(request: FakeLlmRequest): FakeReply {
    const script =
      this.queues.get(request.provider)?.shift() ?? this.defaults.get(request.provider) ?? {};
    return typeof script === 'function' ? script(request) : script;
  }

  private async streamReply(
    request: FakeLlmRequest,
    reply: FakeReply,
    response: ServerResponse,
  ): Promise<void> {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.flushHeaders();
    const events =
      request.provider === 'openai'
        ? openAiEvents(request, reply)
        : anthropicEvents(request, reply);
    for (const [index, event] of events.entries()) {
      if (response.destroyed) {
        return;
      }
      if (reply.dropAfterChunks !== undefined && index === reply.dropAfterChunks + 1) {
        // Let what was written reach the client first, then cut the connection mid-body.
        await new Promise((resolve) => response.write('', resolve));
        response.destroy();
        return;
      }
      response.write(event);
      const isPiece = index > 0 && index < events.length - 3;
      if (reply.chunkDelayMs && isPiece) {
        await this.pause(reply.chunkDelayMs);
      }
    }
    response.end();
  }
}

function providerOf(method: string, path: string): FakeProvider | undefined {
  if (method !== 'POST') {
    return undefined;
  }
  const route = path.split('?')[0];
  if (route === '/v1/chat/completions') {
    return 'openai';
  }
  if (route === '/v1/messages') {
    return 'anthropic';
  }
  return undefined;
}

function describeRequest(
  provider: FakeProvider,
  path: string,
  headers: IncomingHttpHeaders,
  body: Record<string, unknown>,
): FakeLlmRequest {
  const turns = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  const all = turns.map((turn) => ({ role: String(turn.role), content: textOf(turn.content) }));
  const system =
    provider === 'openai'
      ? all
          .filter((turn) => turn.role === 'system' || turn.role === 'developer')
          .map((turn) => turn.content)
          .join('\n')
      : textOf(body.system);
  const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
  const apiKeyHeader = headers['x-api-key'];
  return {
    provider,
    path,
    headers,
    body,
    model: String(body.model),
    stream: body.stream === true,
    system,
    messages: all.filter((turn) => turn.role !== 'system' && turn.role !== 'developer'),
    apiKey: typeof apiKeyHeader === 'string' ? apiKeyHeader : bearer,
    receivedAt: Date.now(),
    completed: false,
    aborted: false,
  };
}

/** Message content as text: a string, or the text of its content blocks. */
function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return '';
  }
  return content
    .map((block: unknown) =>
      typeof block === 'object' && block !== null && 'text' in block ? String(block.text) : '',
    )
    .join('');
}

function piecesOf(reply: FakeReply): string[] {
  return reply.chunks ?? (reply.text ?? DEFAULT_TEXT).match(/\S+\s*|\s+/g) ?? [];
}

function usageOf(request: FakeLlmRequest, reply: FakeReply): { input: number; output: number } {
  if (reply.usage) {
    return reply.usage;
  }
  const promptChars =
    request.system.length + request.messages.reduce((sum, turn) => sum + turn.content.length, 0);
  return { input: Math.ceil(promptChars / 4), output: piecesOf(reply).length };
}

function jsonReply(request: FakeLlmRequest, reply: FakeReply): Record<string, unknown> {
  const text = piecesOf(reply).join('');
  const usage = usageOf(request, reply);
  if (request.provider === 'openai') {
    return {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    };
  }
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

/** The SSE events of a streamed chat completion: role, pieces, finish, usage, [DONE]. */
function openAiEvents(request: FakeLlmRequest, reply: FakeReply): string[] {
  const usage = usageOf(request, reply);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices,
      ...extra,
    })}\n\n`;
  const delta = (content: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta: content,
    finish_reason: finish,
  });
  return [
    chunk([delta({ role: 'assistant', content: '' })]),
    ...piecesOf(reply).map((piece) => chunk([delta({ content: piece })])),
    chunk([delta({}, 'stop')]),
    chunk([], {
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    }),
    'data: [DONE]\n\n',
  ];
}

/** The SSE events of a streamed Anthropic message, usage in message_start and message_delta. */
function anthropicEvents(request: FakeLlmRequest, reply: FakeReply): string[] {
  const usage = usageOf(request, reply);
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    event('message_start', {
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.input, output_tokens: 1 },
      },
    }) + event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...piecesOf(reply).map((piece) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
    event('message_stop', {}),
  ];
}

function errorBody(provider: FakeProvider, status: number): Record<string, unknown> {
  const kind =
    status === 429
      ? 'rate_limit_error'
      : status === 401
        ? 'authentication_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
  const message = `fake ${provider} error ${status}`;
  return provider === 'openai'
    ? { error: { message, type: kind, code: null, param: null } }
    : { type: 'error', error: { type: kind, message } };
}
