// npm run bench:websocket — what the chat WebSocket's admission costs: a chat message over the
// socket (re-check of the caller + request limits, then chat.stream) next to a ping on the same
// sockets (no admission), the same question as SSE over HTTP (the HTTP guards, then
// chat.stream), the re-check's own call to the tenants service over the transport, and a whole
// upgrade (authentication, limits, a leased place under the connection caps) with its close.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';

import { WebSocket } from 'ws';

import { TENANTS } from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';
import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { measure, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';

const CALLS = Number(process.env.BENCH_CALLS ?? 400);
const LEVELS = [1, 16];
const QUESTION = 'How many days do customers have to return a parcel?';

/** Open sockets handed out one call at a time, so `clients` calls run on `clients` sockets. */
class SocketPool {
  private readonly idle: WebSocket[] = [];

  static async open(url: string, size: number): Promise<SocketPool> {
    const pool = new SocketPool();
    for (let i = 0; i < size; i++) {
      pool.idle.push(await openSocket(url));
    }
    return pool;
  }

  async use<T>(call: (socket: WebSocket) => Promise<T>): Promise<T> {
    const socket = this.idle.pop();
    if (!socket) {
      throw new Error('more calls in flight than sockets');
    }
    try {
      return await call(socket);
    } finally {
      this.idle.push(socket);
    }
  }

  close(): void {
    for (const socket of this.idle) {
      socket.close();
    }
  }
}

function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
    socket.once('error', reject);
  });
}

/** Sends one frame and resolves with the first answer frame of one of `types`. */
function exchange(socket: WebSocket, frame: object, types: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(String(data)) as { type: string; code?: string };
      if (message.type === 'error') {
        socket.off('message', onMessage);
        reject(new Error(`error frame: ${message.code}`));
      } else if (types.includes(message.type)) {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify(frame));
  });
}

async function main(): Promise<void> {
  const environment = await createBenchEnvironment('websocket');
  const stack = await TestStack.start({
    services: ['tenants', 'chat', 'rag'],
    env: {
      ...environment.env,
      PRINCIPAL_REQUESTS_PER_MINUTE: '100000000',
      WS_MAX_CONNECTIONS_PER_PRINCIPAL: '1000',
    },
  });
  const transport = stack.transportClient();
  try {
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    await superAdmin.post('/api/v1/tenants/', {
      name: 'WebSocket bench',
      slug: 'ws-bench',
      plan: 'enterprise',
      rate_limits: { requests_per_minute: 1_000_000, requests_per_hour: 100_000_000 },
    });
    const admin = superAdmin.as(superAdmin.token, 'ws-bench');
    const key = (await admin.post('/api/v1/api-keys', { name: 'bench', role: 'user' })).body
      .key as string;
    await admin.post('/api/v1/rag/documents', {
      title: 'Returns',
      text: '# Returns\n\nCustomers may return any parcel within 30 days of delivery.',
    });
    const socketUrl = `${stack.baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=${key}`;
    const pool = await SocketPool.open(socketUrl, Math.max(...LEVELS));

    const paths = [
      {
        name: 'WS ping → pong (no admission)',
        call: () => pool.use((socket) => exchange(socket, { type: 'ping' }, ['pong'])),
      },
      {
        name: 'WS message → done (re-check + limits + chat)',
        call: () =>
          pool.use((socket) => exchange(socket, { type: 'message', content: QUESTION }, ['done'])),
      },
      {
        name: 'POST /api/v1/chat/ SSE → done (HTTP guards + chat)',
        call: () => streamOverHttp(stack.baseUrl, key),
      },
      {
        name: 'tenants.auth.authenticate (the re-check call)',
        call: () =>
          runWithContext({ requestId: randomUUID() }, () =>
            transport.request(TENANTS.AUTH_AUTHENTICATE, { kind: 'api_key', key }),
          ),
      },
      {
        name: 'WS upgrade + close (auth + limits + lease)',
        call: async () => {
          const socket = await openSocket(socketUrl);
          const closed = new Promise((resolve) => socket.once('close', resolve));
          socket.close();
          await closed;
        },
      },
    ];
    for (const path of paths) {
      await measure(path.call, 50, 4);
    } // warm-up
    const rows: Record<string, string | number>[] = [];
    for (const clients of LEVELS) {
      for (const path of paths) {
        const result = await measure(path.call, CALLS, clients);
        rows.push({
          path: path.name,
          clients,
          'p50 ms': result.p50Ms,
          'p99 ms': result.p99Ms,
          'calls/s': Math.round(result.perSecond),
        });
      }
    }
    pool.close();
    printTable(
      `Chat WebSocket admission, local extractive provider, ${CALLS} calls per row; Node ${process.version}, ` +
        `${cpus().length} cores shared by the load generator, three services, the gateway, Postgres, Redis and Chroma`,
      rows,
    );
  } finally {
    await transport.close();
    await stack.stop();
    await environment.teardown();
  }
}

async function streamOverHttp(baseUrl: string, key: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/v1/chat/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: QUESTION, stream: true }),
  });
  const text = await response.text();
  if (!response.ok || !text.includes('event: done')) {
    throw new Error(`SSE answered ${response.status}: ${text.slice(-200)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
