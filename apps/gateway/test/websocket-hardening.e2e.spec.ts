import { createHmac, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { WebSocket } from 'ws';

import { LOCAL_DEFAULT_SECRETS } from '@tenantbot/config';
import {
  ApiClient,
  createTenantWithUsers,
  FakeLlmServer,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const SOCKET_PATH = '/api/v1/chat/ws';
/** Generous: a bound on "closed within a few seconds", not a timing assertion. */
const CLOSE_WITHIN_MS = 20_000;

/** A raw TCP connection that has completed the WebSocket handshake, to send frames `ws` refuses to. */
async function rawSocket(
  baseUrl: string,
  token: string,
): Promise<{ socket: Socket; status: number }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET ${SOCKET_PATH}?token=${token} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!received.includes('\r\n\r\n')) {
        return;
      }
      socket.off('data', onData);
      resolve(received);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  return { socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0) };
}

/** A client frame; `masked: false` and odd opcodes make the protocol errors under test. */
function frame(
  opcode: number,
  payload: Buffer,
  options: { masked?: boolean; declaredLength?: number } = {},
): Buffer {
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? payload.length;
  const header: number[] = [0x80 | opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) {
    header.push(maskBit | length);
  } else if (length < 65_536) {
    header.push(maskBit | 126, length >> 8, length & 0xff);
  } else {
    const extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
    header.push(maskBit | 127, ...extended);
  }
  if (!masked) {
    return Buffer.concat([Buffer.from(header), payload]);
  }
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]));
  return Buffer.concat([Buffer.from(header), mask, body]);
}

/** The close code of the server's close frame, or 0 when the connection ended without one. */
function serverCloseCode(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = () => {
      const closeAt = received[0] === 0x88 ? 0 : -1;
      resolve(closeAt === 0 && received.length >= 4 ? received.readUInt16BE(2) : 0);
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received[0] === 0x88 && received.length >= 4) {
        finish();
        socket.destroy();
      }
    });
    socket.once('close', finish);
    socket.once('error', finish);
  });
}

interface OpenSocket {
  socket: WebSocket;
  /** Every frame received, in order. */
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  /** The next unread frame of one of these types. */
  next(...types: string[]): Promise<Record<string, unknown>>;
}

function openSocket(baseUrl: string, query: string): Promise<OpenSocket> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}${SOCKET_PATH}?${query}`);
  const frames: Record<string, unknown>[] = [];
  const unread: Record<string, unknown>[] = [];
  const waiting: { types: string[]; resolve: (frame: Record<string, unknown>) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    frames.push(message);
    const waiter = waiting.find((w) => w.types.includes(String(message.type)));
    if (!waiter) {
      return void unread.push(message);
    }
    waiting.splice(waiting.indexOf(waiter), 1);
    waiter.resolve(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const next = (...types: string[]) => {
    const index = unread.findIndex((message) => types.includes(String(message.type)));
    if (index >= 0) {
      return Promise.resolve(unread.splice(index, 1)[0]);
    }
    return new Promise<Record<string, unknown>>((resolve) => waiting.push({ types, resolve }));
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, frames, closed, next }));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused with ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

/** The status and JSON body of a refused upgrade. */
function refusedUpgrade(
  baseUrl: string,
  query: string,
): Promise<{ status: number; body: Record<string, unknown>; retryAfter?: string }> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}${SOCKET_PATH}?${query}`);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          retryAfter: response.headers['retry-after'],
        }),
      );
    });
    socket.once('error', reject);
  });
}

async function withinBound<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${CLOSE_WITHIN_MS} ms`)),
      CLOSE_WITHIN_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An access token like the tenants service's, valid for `seconds` more. */
function accessToken(secret: string, claims: Record<string, unknown>, seconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    ...claims,
    iat: now,
    exp: now + seconds,
    iss: 'tenantbot',
    aud: 'tenantbot-api',
  })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Reads Server-Sent Events until the stream ends; `onEvent` sees each as it arrives. */
async function readEvents(
  response: Response,
  onEvent: (event: string) => void = () => undefined,
): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const reader = response.body?.getReader();
  if (!reader) {
    throw new Error('no body');
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return events;
    }
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') });
      onEvent(event);
    }
  }
}

// Each test makes a tenant with four users (argon2 hashes): seconds of CPU on a shared machine.
jest.setTimeout(90_000);

const RECHECK_MS = 1000;
const MAX_PER_PRINCIPAL = 3;
const MAX_PER_TENANT = 6;

describe('WebSocket and open-stream hardening (e2e)', () => {
  let fake: FakeLlmServer;
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
    stack = await TestStack.start({
      services: ['tenants', 'chat', 'rag'],
      env: {
        OPEN_STREAM_RECHECK_MS: String(RECHECK_MS),
        WS_CONNECTION_LEASE_S: '10',
        WS_MAX_CONNECTIONS_PER_PRINCIPAL: String(MAX_PER_PRINCIPAL),
        WS_MAX_CONNECTIONS_PER_TENANT: String(MAX_PER_TENANT),
        OPENAI_BASE_URL: `${fake.url}/v1`,
        CHAT_FALLBACK_CHAIN: 'openai,local',
      },
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    acme = await createTenantWithUsers(superAdmin, 'acme');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await fake?.close();
  });

  /** Asks over the socket and waits for the end of the answer (`done` or `error`). */
  async function ask(open: OpenSocket, content: string): Promise<Record<string, unknown>> {
    open.socket.send(JSON.stringify({ type: 'message', content }));
    return open.next('done', 'error');
  }

  /** The gateway still answers HTTP and opens new sockets that work. */
  async function expectGatewayServing(): Promise<void> {
    expect((await stack.request('/healthz')).status).toBe(200);
    const fresh = await openSocket(stack.baseUrl, `token=${acme.as.user.token}`);
    fresh.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await fresh.next('pong')).toEqual({ type: 'pong' });
    fresh.socket.close();
  }

  describe('one frame never takes the gateway down', () => {
    const malformed: { name: string; bytes: () => Buffer; code: number }[] = [
      {
        name: 'a text frame larger than maxPayload',
        bytes: () => frame(0x1, Buffer.alloc(0), { declaredLength: 10 * 1024 * 1024 }),
        code: 1009,
      },
      {
        name: 'invalid UTF-8 in a text frame',
        bytes: () => frame(0x1, Buffer.from([0xc3, 0x28, 0xff])),
        code: 1007,
      },
      {
        name: 'an unmasked client frame',
        bytes: () => frame(0x1, Buffer.from('{}'), { masked: false }),
        code: 1002,
      },
      { name: 'a reserved opcode', bytes: () => frame(0x3, Buffer.from('x')), code: 1002 },
    ];

    it.each(malformed)('$name closes that socket only (close $code)', async ({ bytes, code }) => {
      const bystander = await openSocket(stack.baseUrl, `token=${acme.as.agent.token}`);
      const { socket, status } = await rawSocket(stack.baseUrl, acme.as.user.token ?? '');
      expect(status).toBe(101);
      const closeCode = serverCloseCode(socket);
      socket.write(bytes());

      expect(await closeCode).toBe(code);
      await expectGatewayServing();
      bystander.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await bystander.next('pong')).toEqual({ type: 'pong' });
      bystander.socket.close();
    });

    it('survives a client that resets the connection in the middle of the upgrade', async () => {
      for (const token of ['forged', acme.as.user.token ?? '']) {
        const { hostname, port } = new URL(stack.baseUrl);
        const socket = connect(Number(port), hostname);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.on('error', () => undefined);
        socket.write(
          `GET ${SOCKET_PATH}?token=${token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            'Sec-WebSocket-Version: 13\r\n\r\n',
        );
        socket.resetAndDestroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      await expectGatewayServing();
    });

    it('refuses an upgrade on a path no socket serves, and keeps serving', async () => {
      const socket = new WebSocket(`${stack.baseUrl.replace('http', 'ws')}/api/v1/nowhere`);
      const status = await new Promise<number>((resolve) => {
        socket.once('unexpected-response', (_request, response) =>
          resolve(response.statusCode ?? 0),
        );
        socket.once('error', () => resolve(-1));
      });
      expect(status).toBe(404);
      await expectGatewayServing();
    });
  });

  describe('every chat message counts against the limits', () => {
    it('counts the upgrade and each message with the HTTP requests; over the limit an error frame, the socket open', async () => {
      const limited = await createTenantWithUsers(superAdmin, 'limited');
      // A new quota starts its own count: the fixture's requests are not in it.
      const quota = await superAdmin.put(`/api/v1/tenants/${limited.id}`, {
        rate_limits: { requests_per_minute: 4 },
      });
      expect(quota.status).toBe(200);
      const open = await openSocket(stack.baseUrl, `token=${limited.as.user.token}`); // 1

      expect(await ask(open, 'Hello?')).toMatchObject({ type: 'done' }); // 2
      expect((await limited.as.agent.get('/api/v1/auth/me')).status).toBe(200); // 3
      expect(await ask(open, 'Anyone?')).toMatchObject({ type: 'done' }); // 4
      const refused = await ask(open, 'Still there?');

      expect(refused).toMatchObject({
        type: 'error',
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/4 requests per minute/),
        retry_after_s: expect.any(Number),
      });
      expect(refused.retry_after_s).toBeGreaterThan(0);
      open.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await open.next('pong')).toEqual({ type: 'pong' });
      expect(open.socket.readyState).toBe(WebSocket.OPEN);
      // The HTTP chat and a new upgrade are refused by the same count.
      const http = await limited.as.user.post('/api/v1/chat/', { message: 'and here?' });
      expect(http).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      const upgrade = await refusedUpgrade(stack.baseUrl, `token=${limited.as.agent.token}`);
      expect(upgrade).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
      expect(Number(upgrade.retryAfter)).toBeGreaterThan(0);
      // Another tenant is not counted with it.
      const bystander = await openSocket(stack.baseUrl, `token=${acme.as.user.token}`);
      expect(await ask(bystander, 'Hello?')).toMatchObject({ type: 'done' });
      bystander.socket.close();
      open.socket.close();
    });

    it('holds the tenant’s token budget on socket messages, and the socket stays open', async () => {
      const broke = await createTenantWithUsers(superAdmin, 'broke');
      // The local model spends no tokens: a provider model is what the budget holds back.
      const settings = await superAdmin.put(`/api/v1/tenants/${broke.id}`, {
        rate_limits: { tokens_per_day: 0 },
        provider_keys: { openai: 'sk-broke-test' },
      });
      expect(settings.status).toBe(200);
      const open = await openSocket(stack.baseUrl, `token=${broke.as.user.token}`);

      expect(await ask(open, 'What does it cost?')).toMatchObject({
        type: 'error',
        code: 'BUDGET_EXCEEDED',
      });
      expect(fake.requests.length).toBe(0);
      open.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await open.next('pong')).toEqual({ type: 'pong' });
      open.socket.close();
    });

    it('caps the sockets open at once per user and per tenant, and frees a place on close', async () => {
      const capped = await createTenantWithUsers(superAdmin, 'capped');
      const token = `token=${capped.as.user.token}`;
      const userSockets = await Promise.all(
        Array.from({ length: MAX_PER_PRINCIPAL }, () => openSocket(stack.baseUrl, token)),
      );

      const overUser = await refusedUpgrade(stack.baseUrl, token);
      expect(overUser).toMatchObject({
        status: 429,
        body: { code: 'RATE_LIMITED', message: expect.stringMatching(/user or API key/) },
      });

      const agentSockets = await Promise.all(
        Array.from({ length: MAX_PER_TENANT - MAX_PER_PRINCIPAL }, () =>
          openSocket(stack.baseUrl, `token=${capped.as.agent.token}`),
        ),
      );
      const overTenant = await refusedUpgrade(
        stack.baseUrl,
        `token=${capped.as.tenant_admin.token}`,
      );
      expect(overTenant).toMatchObject({
        status: 429,
        body: { code: 'RATE_LIMITED', message: expect.stringMatching(/tenant/) },
      });
      // Another tenant's sockets are counted apart.
      const elsewhere = await openSocket(stack.baseUrl, `token=${acme.as.tenant_admin.token}`);
      elsewhere.socket.close();

      userSockets[0].socket.close();
      await userSockets[0].closed;
      let reopened: OpenSocket | undefined;
      for (let attempt = 0; !reopened && attempt < 50; attempt++) {
        reopened = await openSocket(stack.baseUrl, token).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
      }
      expect(reopened?.socket.readyState).toBe(WebSocket.OPEN);
      for (const open of [...userSockets, ...agentSockets, reopened]) {
        open?.socket.close();
      }
    });
  });

  describe('open sockets and streams are re-checked', () => {
    it('ends the socket of a user deactivated (4401 UNAUTHORIZED) or demoted to readonly (4403 FORBIDDEN), not a colleague’s', async () => {
      const team = await createTenantWithUsers(superAdmin, 'team');
      const leaving = await openSocket(stack.baseUrl, `token=${team.as.user.token}`);
      const staying = await openSocket(stack.baseUrl, `token=${team.as.agent.token}`);

      const update = await team.as.tenant_admin.put(`/api/v1/admin/users/${team.userIds.user}`, {
        is_active: false,
      });
      expect(update.status).toBe(200);

      expect(await withinBound(leaving.closed, 'close')).toEqual({
        code: 4401,
        reason: 'UNAUTHORIZED',
      });
      expect(leaving.frames.at(-1)).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
      staying.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await staying.next('pong')).toEqual({ type: 'pong' });

      // A role that may not chat (readonly) ends the colleague's socket in turn.
      const demoted = await team.as.tenant_admin.put(`/api/v1/admin/users/${team.userIds.agent}`, {
        role: 'readonly',
      });
      expect(demoted.status).toBe(200);
      expect(await withinBound(staying.closed, 'close')).toEqual({
        code: 4403,
        reason: 'FORBIDDEN',
      });
      expect(staying.frames.at(-1)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    });

    it('ends the socket of a revoked API key', async () => {
      const keyed = await createTenantWithUsers(superAdmin, 'keyed');
      const created = await keyed.as.tenant_admin.post('/api/v1/api-keys', {
        name: 'widget',
        role: 'agent',
      });
      expect(created.status).toBe(201);
      const open = await openSocket(stack.baseUrl, `token=${created.body.key}`);
      open.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await open.next('pong')).toEqual({ type: 'pong' });

      expect(
        (await keyed.as.tenant_admin.delete(`/api/v1/api-keys/${created.body.id}`)).status,
      ).toBe(204);

      expect(await withinBound(open.closed, 'close')).toEqual({
        code: 4401,
        reason: 'UNAUTHORIZED',
      });
      expect(open.frames.at(-1)).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    });

    it('ends the socket when its access token expires', async () => {
      const secret = stack.env.JWT_SECRET ?? LOCAL_DEFAULT_SECRETS.JWT_SECRET;
      const token = accessToken(
        secret,
        { sub: acme.userIds.agent, tenant_id: acme.id, role: 'agent' },
        3,
      );
      const open = await openSocket(stack.baseUrl, `token=${token}`);
      open.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await open.next('pong')).toEqual({ type: 'pong' });

      expect(await withinBound(open.closed, 'close')).toEqual({
        code: 4401,
        reason: 'UNAUTHORIZED',
      });
      expect(open.frames.at(-1)).toMatchObject({
        type: 'error',
        code: 'UNAUTHORIZED',
        message: 'invalid or expired access token',
      });
    });

    it('ends the sockets and SSE streams of a deactivated tenant (TENANT_INACTIVE), not another tenant’s', async () => {
      const frozen = await createTenantWithUsers(superAdmin, 'frozen');
      await superAdmin.put(`/api/v1/tenants/${frozen.id}`, {
        provider_keys: { openai: 'sk-frozen-test' },
      });
      fake.respond('openai', {
        text: Array.from({ length: 200 }, (_, index) => `word${index}`).join(' '),
        chunkDelayMs: 200,
      });
      const socket = await openSocket(stack.baseUrl, `token=${frozen.as.user.token}`);
      const bystander = await openSocket(stack.baseUrl, `token=${acme.as.user.token}`);
      const response = await fetch(`${stack.baseUrl}/api/v1/chat/`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${frozen.as.agent.token}`,
          'x-tenant-id': frozen.slug,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify({ message: 'Tell me everything.' }),
      });
      expect(response.status).toBe(200);
      let streaming!: () => void;
      const firstDelta = new Promise<void>((resolve) => (streaming = resolve));
      const events = readEvents(response, (event) => event === 'delta' && streaming());
      await withinBound(firstDelta, 'first delta');

      const deactivated = await superAdmin.put(`/api/v1/tenants/${frozen.id}`, {
        is_active: false,
      });
      expect(deactivated.status).toBe(200);

      expect(await withinBound(socket.closed, 'socket close')).toEqual({
        code: 4403,
        reason: 'TENANT_INACTIVE',
      });
      expect(socket.frames.at(-1)).toMatchObject({ type: 'error', code: 'TENANT_INACTIVE' });
      const streamed = await withinBound(events, 'end of the SSE stream');
      expect(streamed.at(-1)).toMatchObject({ event: 'error', data: { code: 'TENANT_INACTIVE' } });
      expect(streamed.some((event) => event.event === 'done')).toBe(false);

      bystander.socket.send(JSON.stringify({ type: 'ping' }));
      expect(await bystander.next('pong')).toEqual({ type: 'pong' });
      expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
      bystander.socket.close();
      fake.reset();
    });
  });
});
