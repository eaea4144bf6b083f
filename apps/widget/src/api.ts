/** The widget's calls to the tenantbot API, as a website visitor with a short-lived token. */

export interface WidgetConfig {
  title: string;
  primary_color: string;
  logo_url: string | null;
  greeting: string;
  position: 'bottom-right' | 'bottom-left';
  placeholder: string;
  /** The "talk to a person" button is shown. */
  handoff_enabled: boolean;
}

export interface Source {
  document_id: string;
  filename: string;
  page: number | null;
  text: string;
}

export type MessageRole = 'user' | 'assistant' | 'agent' | 'system';

export interface StoredMessage {
  id: string;
  role: MessageRole;
  content: string;
  sources: Source[];
}

export interface Answer {
  response: string;
  conversation_id: string;
  sources: Source[];
  /** `human`: a person has the conversation; `response` is the notice, or empty. */
  handled_by?: 'bot' | 'human';
}

/** What the chat socket tells a followed conversation's visitor (handoff). */
export type LiveFrame =
  | { type: 'message'; message: { role: MessageRole; content: string } }
  | { type: 'typing'; is_typing: boolean; from?: string }
  | { type: 'status'; status: 'bot' | 'waiting_human' | 'human' | 'closed' }
  | { type: 'following'; status: 'bot' | 'waiting_human' | 'human' | 'closed' }
  | { type: 'error' | 'pong' };

/** A refusal the visitor should read in words: its code, and when to try again. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The network failed (offline, dropped): nothing is known of what the server did. */
export class NetworkError extends Error {}

interface Session {
  token: string;
  expiresAt: number;
}

export class WidgetApi {
  private session?: Session;
  private renewing?: Promise<Session>;

  constructor(
    private readonly base: string,
    readonly key: string,
    private visitorId: string | undefined,
    private readonly onVisitorId: (visitorId: string) => void,
  ) {}

  config(): Promise<WidgetConfig> {
    return this.json<WidgetConfig>(`/api/v1/widget/config?key=${encodeURIComponent(this.key)}`);
  }

  conversation(id: string): Promise<{ messages: StoredMessage[] }> {
    return this.authorized((token) =>
      this.json(`/api/v1/chat/conversations/${encodeURIComponent(id)}`, { token }),
    );
  }

  /** The id of the conversation's last answer (a streamed answer does not carry its id). */
  async lastAnswerId(conversationId: string): Promise<string | undefined> {
    const { messages } = await this.conversation(conversationId);
    return messages.filter((message) => message.role === 'assistant').at(-1)?.id;
  }

  /** Thumbs up or down on an answer of the visitor's conversation; a repeat replaces it. */
  rate(messageId: string, rating: 'up' | 'down'): Promise<unknown> {
    return this.authorized((token) =>
      this.json(`/api/v1/chat/messages/${encodeURIComponent(messageId)}/feedback`, {
        method: 'POST',
        token,
        body: { rating },
      }),
    );
  }

  /** Streams the answer: `onDelta` for each piece of text, the whole answer at the end. */
  ask(
    message: string,
    conversationId: string | undefined,
    onDelta: (text: string) => void,
  ): Promise<Answer> {
    return this.authorized(async (token) => {
      const response = await this.fetch('/api/v1/chat/', {
        method: 'POST',
        token,
        body: {
          message,
          stream: true,
          ...(conversationId ? { conversation_id: conversationId } : {}),
        },
      });
      if (!response.ok || !response.body) {
        throw await errorOf(response);
      }
      return readAnswer(response.body, onDelta);
    });
  }

  /** Asks for a person in the conversation (the widget must have handoff enabled). */
  requestHandoff(conversationId: string): Promise<{ status: string }> {
    return this.authorized((token) =>
      this.json(`/api/v1/chat/conversations/${encodeURIComponent(conversationId)}/handoff`, {
        method: 'POST',
        token,
        body: {},
      }),
    );
  }

  /**
   * Follows the conversation over the chat socket: agents' messages, typing and status as
   * they happen. Resolves the socket (closing it stops following).
   */
  async follow(conversationId: string, onFrame: (frame: LiveFrame) => void): Promise<WebSocket> {
    const { token } = await this.currentSession();
    const url = `${this.base.replace(/^http/, 'ws')}/api/v1/chat/ws?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url);
    socket.addEventListener('open', () =>
      socket.send(JSON.stringify({ type: 'follow', conversation_id: conversationId })),
    );
    socket.addEventListener('message', (event) => {
      try {
        onFrame(JSON.parse(String(event.data)) as LiveFrame);
      } catch {
        // not a frame of ours
      }
    });
    return socket;
  }

  /** A valid token: renewed ahead of its expiry, and again when the server refuses it. */
  private async authorized<T>(call: (token: string) => Promise<T>): Promise<T> {
    const session = await this.currentSession();
    try {
      return await call(session.token);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        throw error;
      }
      this.session = undefined;
      return call((await this.currentSession()).token);
    }
  }

  private currentSession(): Promise<Session> {
    if (this.session && this.session.expiresAt - Date.now() > 60_000) {
      return Promise.resolve(this.session);
    }
    this.renewing ??= this.openSession().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async openSession(): Promise<Session> {
    const opened = await this.json<{ token: string; expires_in: number; visitor_id: string }>(
      '/api/v1/widget/sessions',
      {
        method: 'POST',
        body: { key: this.key, ...(this.visitorId ? { visitor_id: this.visitorId } : {}) },
      },
    );
    if (opened.visitor_id !== this.visitorId) {
      this.visitorId = opened.visitor_id;
      this.onVisitorId(opened.visitor_id);
    }
    this.session = { token: opened.token, expiresAt: Date.now() + opened.expires_in * 1000 };
    return this.session;
  }

  private async json<T>(
    path: string,
    init: { method?: string; token?: string; body?: unknown } = {},
  ): Promise<T> {
    const response = await this.fetch(path, init);
    if (!response.ok) {
      throw await errorOf(response);
    }
    return (await response.json()) as T;
  }

  private async fetch(
    path: string,
    init: { method?: string; token?: string; body?: unknown },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.token) {
      headers.Authorization = `Bearer ${init.token}`;
    }
    if (init.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    try {
      return await fetch(`${this.base}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch {
      throw new NetworkError('network unavailable');
    }
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { code?: string; message?: string; details?: { retry_after_s?: number } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON
  }
  const retryAfter = Number(response.headers.get('Retry-After')) || body.details?.retry_after_s;
  return new ApiError(
    response.status,
    body.code ?? 'HTTP_' + response.status,
    body.message ?? response.statusText,
    retryAfter,
  );
}

/** Reads the Server-Sent Events of an answer: `delta` pieces, then `done` or `error`. */
async function readAnswer(
  body: ReadableStream<Uint8Array>,
  onDelta: (text: string) => void,
): Promise<Answer> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new NetworkError('the answer was cut off');
    }
    if (chunk.done) {
      throw new NetworkError('the answer ended early');
    }
    buffer += decoder.decode(chunk.value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      if (event === 'delta') {
        onDelta(String(data.content ?? ''));
      }
      if (event === 'done') {
        return data as unknown as Answer;
      }
      if (event === 'error') {
        throw new ApiError(
          Number(data.statusCode) || 500,
          String(data.code),
          String(data.message),
          (data.details as { retry_after_s?: number } | undefined)?.retry_after_s,
        );
      }
    }
  }
}
