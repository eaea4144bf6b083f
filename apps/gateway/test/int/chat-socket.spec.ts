import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';

import { CHAT } from '@tenantbot/contracts';

import { GatewayHarness } from './support/gateway-harness';

const SOCKET_PATH = '/api/v1/chat/ws';

function open(gateway: GatewayHarness, query: string, path = SOCKET_PATH): Promise<WebSocket> {
  const ws = new WebSocket(`${gateway.baseUrl.replace(/^http/, 'ws')}${path}?${query}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
    ws.once('error', reject);
  });
}

function framesUntil(ws: WebSocket, last: (frame: { type: string }) => boolean) {
  const frames: { type: string; [key: string]: unknown }[] = [];
  return new Promise<typeof frames>((resolve) =>
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string };
      frames.push(frame);
      if (last(frame)) {
        resolve(frames);
      }
    }),
  );
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}

describe('the chat WebSocket, Nest-managed, in process', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await GatewayHarness.start({
      WS_MAX_CONNECTIONS_PER_PRINCIPAL: '1',
      OPEN_STREAM_RECHECK_MS: '200',
      WS_CONNECTION_LEASE_S: '2',
      ACCESS_CACHE_TTL_MS: '0',
    });
  });
  afterAll(() => gateway?.stop());

  it('answers ping, then streams an answer in the caller’s tenant', async () => {
    const user = await gateway.user('user');
    const ws = await open(gateway, `token=${user.token}`);
    const frames = framesUntil(ws, (frame) => frame.type === 'done');
    ws.send(JSON.stringify({ type: 'ping' }));
    ws.send(JSON.stringify({ type: 'message', content: 'hello' }));
    expect((await frames).map((frame) => frame.type)).toEqual([
      'pong',
      'typing',
      'typing',
      'delta',
      'delta',
      'done',
    ]);
    expect(gateway.directory.contextsOf(CHAT.STREAM).at(-1)?.tenantId).toBe(user.tenantId);
    const closed = closeOf(ws);
    ws.close();
    await closed;
  });

  it('refuses an upgrade without a token (401), on an unknown path (404), and over the cap (429)', async () => {
    await expect(open(gateway, 'token=')).rejects.toThrow('upgrade refused: 401');
    const user = await gateway.user('user');
    await expect(open(gateway, `token=${user.token}`, '/api/v1/nowhere/ws')).rejects.toThrow(
      'upgrade refused: 404',
    );
    const first = await open(gateway, `token=${user.token}`);
    await expect(open(gateway, `token=${user.token}`)).rejects.toThrow('upgrade refused: 429');
    const closed = closeOf(first);
    first.close();
    await closed;
  });

  it('ends the socket of a user deactivated while it is open with 4401 UNAUTHORIZED', async () => {
    const user = await gateway.user('user');
    const ws = await open(gateway, `token=${user.token}`);
    const closed = closeOf(ws);
    gateway.directory.users.set(user.userId, { ...user, active: false });
    expect(await closed).toEqual({ code: 4401, reason: 'UNAUTHORIZED' });
  });
});
