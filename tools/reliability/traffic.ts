import { randomUUID } from 'node:crypto';

import { Agent, type Dispatcher, request } from 'undici';
import { WebSocket } from 'ws';

/** What became of one request. */
export type OutcomeKind = 'ok' | 'clean' | 'cut' | 'lost';

export interface Outcome {
  route: string;
  kind: OutcomeKind;
  status: number;
  /** The error `code` of a JSON error, or what went wrong on the wire. */
  code?: string;
  ms: number;
  gateway: string;
}

/** A tenant the traffic acts in: its admin's credentials and a logged-in token. */
export interface TrafficTenant {
  id: string;
  slug: string;
  username: string;
  password: string;
  token: string;
}

export interface Gateway {
  name: string;
  url: string;
}

export type RouteName =
  'login' | 'search' | 'chat json' | 'chat sse' | 'chat ws' | 'upload' | 'admin stats';

/** Routes of the mixed traffic with their relative weights. */
export const FAULT_MIX: [RouteName, number][] = [
  ['search', 4],
  ['chat json', 3],
  ['chat sse', 3],
  ['upload', 1],
  ['admin stats', 2],
  ['login', 1],
];

/** The longest a route may take before its answer counts as lost (chat covers the provider chain). */
export const ROUTE_DEADLINE_MS: Record<RouteName, number> = {
  login: 15_000,
  search: 15_000,
  'chat json': 160_000,
  'chat sse': 160_000,
  'chat ws': 160_000,
  upload: 15_000,
  'admin stats': 30_000,
};

const CLEAN_FAILURE_STATUSES = new Set([503, 504]);
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Mixed requests against one or more gateways. Each request goes to the next gateway in turn;
 * one that refuses the connection (stopped) gets the request again on the next gateway, since
 * nothing was sent. A reset on a gateway the test is stopping is `cut`; anywhere else it is lost.
 */
export class TrafficClient {
  private readonly agent: Dispatcher = new Agent({ connections: 256, pipelining: 1 });
  private turn = 0;
  /** Gateways being stopped on purpose: resets of their connections are expected. */
  readonly stopping = new Set<string>();
  /** Markers written by chat messages and uploads, to count their side effects afterwards. */
  readonly markers: { route: RouteName; marker: string; kind: OutcomeKind }[] = [];
  /** Documents each tenant was shown (search results, chat sources): tenant id → ids. */
  readonly documentsShown = new Map<string, Set<string>>();

  constructor(
    private readonly gateways: Gateway[],
    private readonly label: string,
  ) {}

  async close(): Promise<void> {
    await this.agent.close();
  }

  async send(route: RouteName, tenant: TrafficTenant): Promise<Outcome> {
    const first = this.turn++ % this.gateways.length;
    let outcome: Outcome | undefined;
    for (let i = 0; i < this.gateways.length; i++) {
      const gateway = this.gateways[(first + i) % this.gateways.length];
      outcome = await this.attempt(route, tenant, gateway);
      const refused = outcome.status === 0 && CONNECT_FAILURES.has(outcome.code ?? '');
      if (!refused) {
        return outcome;
      }
      outcome.kind = 'lost'; // unless another gateway answers
    }
    return outcome as Outcome;
  }

  private async attempt(route: RouteName, tenant: TrafficTenant, gateway: Gateway) {
    const started = performance.now();
    const marker = `${this.label}-${randomUUID().slice(0, 12)}`;
    let result: Pick<Outcome, 'kind' | 'status' | 'code'>;
    try {
      result = await this.perform(route, tenant, gateway.url, marker);
    } catch (error) {
      const code = wireErrorCode(error);
      const timedOut = code === 'TimeoutError' || code === 'AbortError';
      result = {
        kind: !timedOut && this.stopping.has(gateway.name) ? 'cut' : 'lost',
        status: 0,
        code,
      };
    }
    if (
      route === 'chat json' ||
      route === 'chat sse' ||
      route === 'chat ws' ||
      route === 'upload'
    ) {
      this.markers.push({ route, marker, kind: result.kind });
    }
    return { route, ...result, ms: performance.now() - started, gateway: gateway.name };
  }

  private perform(route: RouteName, tenant: TrafficTenant, base: string, marker: string) {
    const signal = AbortSignal.timeout(ROUTE_DEADLINE_MS[route]);
    switch (route) {
      case 'login':
        return this.json(base, 'POST', '/api/v1/auth/login', tenant, signal, {
          username: tenant.username,
          password: tenant.password,
        });
      case 'search':
        return this.json(base, 'POST', '/api/v1/rag/search', tenant, signal, {
          query: pick(QUESTIONS),
          top_k: 5,
        });
      case 'chat json':
        return this.json(base, 'POST', '/api/v1/chat/', tenant, signal, chatBody(marker));
      case 'chat sse':
        return this.sse(base, tenant, signal, chatBody(marker));
      case 'chat ws':
        return chatOverSocket(base, tenant, signal, marker);
      case 'upload':
        return this.json(base, 'POST', '/api/v1/rag/documents', tenant, signal, {
          title: marker,
          text: handbook(marker, 8),
        });
      case 'admin stats':
        return this.json(base, 'GET', '/api/v1/admin/stats', tenant, signal);
    }
  }

  private async json(
    base: string,
    method: 'GET' | 'POST',
    path: string,
    tenant: TrafficTenant,
    signal: AbortSignal,
    body?: object,
  ) {
    const response = await request(`${base}${path}`, {
      method,
      dispatcher: this.agent,
      signal,
      headers: headersFor(tenant, body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    this.noteDocumentsShown(tenant, text);
    return classify(response.statusCode, text);
  }

  private noteDocumentsShown(tenant: TrafficTenant, text: string): void {
    const shown = this.documentsShown.get(tenant.id) ?? new Set<string>();
    for (const match of text.matchAll(/"document_id":"([0-9a-f-]{36})"/g)) {
      shown.add(match[1]);
    }
    this.documentsShown.set(tenant.id, shown);
  }

  /** An SSE answer counts only if it ends with `done` or with an `error` event. */
  private async sse(base: string, tenant: TrafficTenant, signal: AbortSignal, body: object) {
    const response = await request(`${base}/api/v1/chat/`, {
      method: 'POST',
      dispatcher: this.agent,
      signal,
      headers: { ...headersFor(tenant, true), accept: 'text/event-stream' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    this.noteDocumentsShown(tenant, text);
    if (response.statusCode !== 200) {
      return classify(response.statusCode, text);
    }
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({
      event: m[1],
      data: m[2],
    }));
    const last = events.at(-1);
    if (last?.event === 'done') {
      return { kind: 'ok' as const, status: 200 };
    }
    if (last?.event === 'error') {
      const code = parseCode(last.data);
      return {
        kind: isCleanCode(code) ? ('clean' as const) : ('lost' as const),
        status: 200,
        code: code ?? 'SSE_ERROR',
      };
    }
    return { kind: 'lost' as const, status: 200, code: 'SSE_CUT' };
  }
}

function headersFor(tenant: TrafficTenant, hasBody: boolean): Record<string, string> {
  return {
    authorization: `Bearer ${tenant.token}`,
    'x-tenant-id': tenant.slug,
    ...(hasBody ? { 'content-type': 'application/json' } : {}),
  };
}

function classify(status: number, text: string): Pick<Outcome, 'kind' | 'status' | 'code'> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'lost', status, code: 'NOT_JSON' };
  }
  if (status >= 200 && status < 300) {
    return { kind: 'ok', status };
  }
  const code = (body as { code?: unknown } | null)?.code;
  if (CLEAN_FAILURE_STATUSES.has(status) && typeof code === 'string') {
    return { kind: 'clean', status, code };
  }
  return { kind: 'lost', status, code: typeof code === 'string' ? code : `HTTP_${status}` };
}

function isCleanCode(code: string | undefined): boolean {
  return code === 'SERVICE_UNAVAILABLE' || code === 'TIMEOUT';
}

function parseCode(data: string): string | undefined {
  try {
    const code = (JSON.parse(data) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function wireErrorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  const named = error as { code?: string; name?: string };
  return cause?.code ?? named.code ?? named.name ?? 'ERROR';
}

/** One chat message over the WebSocket: `done` or an `error` message ends it. */
function chatOverSocket(
  base: string,
  tenant: TrafficTenant,
  signal: AbortSignal,
  marker: string,
): Promise<Pick<Outcome, 'kind' | 'status' | 'code'>> {
  const url = `${base.replace(/^http/, 'ws')}/api/v1/chat/ws?token=${encodeURIComponent(tenant.token)}&tenant=${tenant.slug}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const finish = (outcome: Pick<Outcome, 'kind' | 'status' | 'code'>) => {
      signal.removeEventListener('abort', aborted);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.close();
      resolve(outcome);
    };
    const aborted = () => {
      socket.terminate();
      reject(Object.assign(new Error('deadline'), { name: 'TimeoutError' }));
    };
    signal.addEventListener('abort', aborted);
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'message', content: chatBody(marker).message })),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; code?: string };
      if (message.type === 'done') {
        finish({ kind: 'ok', status: 101 });
      } else if (message.type === 'error') {
        finish({
          kind: isCleanCode(message.code) ? 'clean' : 'lost',
          status: 101,
          code: message.code,
        });
      }
    });
    socket.on('error', (error) => {
      signal.removeEventListener('abort', aborted);
      reject(error);
    });
    socket.on('close', () => finish({ kind: 'lost', status: 101, code: 'WS_CLOSED' }));
  });
}

const TOPICS =
  'refund shipping warranty invoice password login delivery parcel subscription upgrade'.split(' ');
const QUESTIONS = TOPICS.map((topic) => `How many days does the ${topic} rule give customers?`);

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function chatBody(marker: string) {
  return {
    message: `${marker}: ${pick(QUESTIONS)}`,
    model: 'local-extractive',
    use_rag: true,
  };
}

/** A document whose first heading (its title) is the marker, so it can be found afterwards. */
export function handbook(marker: string, paragraphs: number): string {
  const body = Array.from({ length: paragraphs }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length];
    return (
      `## ${topic} rule ${i}\n\nThe ${topic} rule ${i} says customers get an answer within ${(i % 9) + 1} days, ` +
      `and the ${topic} team reviews case ${i * 7 + 3} before it closes. `.repeat(3)
    );
  });
  return `# ${marker}\n\n${body.join('\n\n')}`;
}

/** Picks a route by its weight. */
export function pickRoute(mix: [RouteName, number][]): RouteName {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [route, weight] of mix) {
    roll -= weight;
    if (roll < 0) {
      return route;
    }
  }
  return mix[0][0];
}

/**
 * Virtual clients sending requests one after another until stopped; every outcome is kept.
 */
export class TrafficRun {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly client: TrafficClient,
    private readonly tenants: TrafficTenant[],
    private readonly mix: [RouteName, number][],
    private readonly pauseMs: number,
  ) {}

  start(clients: number): void {
    this.workers = Array.from({ length: clients }, (_, i) => this.worker(i));
  }

  /** Stops sending and waits for every request in flight to end. */
  async stop(): Promise<Outcome[]> {
    this.stopped = true;
    await Promise.all(this.workers);
    return this.outcomes;
  }

  private async worker(index: number): Promise<void> {
    const tenant = this.tenants[index % this.tenants.length];
    while (!this.stopped) {
      this.outcomes.push(await this.client.send(pickRoute(this.mix), tenant));
      if (this.pauseMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    }
  }
}
