import { afterEach, describe, expect, it } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { Agent, type Dispatcher, request } from 'undici';

import { createLogger } from '@tenantbot/observability';

import { gatewayConfigSchema } from '../../src/config';
import { drainHttpServer } from '../../src/http/graceful-shutdown';
import { HttpMetrics } from '../../src/http/http-metrics';
import { gatewayHttpAdapter } from '../../src/http/http-server';

/** The gateway's own Fastify server (same options), with one route, listening on loopback. */
async function listeningServer(): Promise<{ fastify: FastifyInstance; url: string }> {
  const runtime = {
    config: gatewayConfigSchema.parse({}),
    logger: createLogger('gateway', 'silent'),
    metrics: new HttpMetrics(),
  };
  const fastify = gatewayHttpAdapter(runtime).getInstance() as unknown as FastifyInstance;
  fastify.get('/ping', () => ({ ok: true }));
  const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { fastify, url };
}

async function get(agent: Dispatcher, url: string) {
  const response = await request(`${url}/ping`, { dispatcher: agent });
  return {
    status: response.statusCode,
    connection: response.headers.connection,
    body: await response.body.json(),
  };
}

describe('gateway drain', () => {
  let agent: Agent | undefined;
  afterEach(async () => agent?.destroy());

  it('serves a request that arrives on an idle keep-alive connection after the signal, with Connection: close', async () => {
    const { fastify, url } = await listeningServer();
    agent = new Agent({ connections: 1, pipelining: 1 });
    expect((await get(agent, url)).connection).not.toBe('close');

    const drained = drainHttpServer(fastify, { drainMs: 5_000, lingerMs: 1_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const duringDrain = await get(agent, url);
    expect(duringDrain).toEqual({ status: 200, connection: 'close', body: { ok: true } });
    await drained;
    const fresh = new Agent();
    await expect(get(fresh, url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await fresh.destroy();
  });

  it('closes connections nobody used during the linger, and then ends', async () => {
    const { fastify, url } = await listeningServer();
    agent = new Agent({ connections: 1, pipelining: 1 });
    await get(agent, url);
    const started = performance.now();
    await drainHttpServer(fastify, { drainMs: 5_000, lingerMs: 300 });
    const tookMs = performance.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(250);
    expect(tookMs).toBeLessThan(5_000);
  });
});
