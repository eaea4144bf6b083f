import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiClient,
  TestStack,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
} from '@tenantbot/testing';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

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
      if (!received.includes('\r\n\r\n')) return;
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
  if (length < 126) header.push(maskBit | length);
  else if (length < 65_536) header.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
    header.push(maskBit | 127, ...extended);
  }
  if (!masked) return Buffer.concat([Buffer.from(header), payload]);
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
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  /** The next frame of this type (already received ones included). */
  next(type: string): Promise<Record<string, unknown>>;
}

function openSocket(baseUrl: string, query: string): Promise<OpenSocket> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}${SOCKET_PATH}?${query}`);
  const frames: Record<string, unknown>[] = [];
  const waiting: { type: string; resolve: (frame: Record<string, unknown>) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    frames.push(message);
    for (const waiter of waiting.filter((w) => w.type === message.type)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const next = (type: string) => {
    const seen = frames.find((message) => message.type === type);
    if (seen) {
      frames.splice(frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise<Record<string, unknown>>((resolve) => waiting.push({ type, resolve }));
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

describe('WebSocket and open-stream hardening (e2e)', () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['tenants', 'chat', 'rag'] });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    acme = await createTenantWithUsers(superAdmin, 'acme');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

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

  // Keep the helpers referenced until the suites below use them.
  void refusedUpgrade;
  void withinBound;
});
