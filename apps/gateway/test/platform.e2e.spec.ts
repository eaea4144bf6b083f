import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';

describe('gateway platform routes (e2e over HTTP)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ captureLogs: true, env: { LOG_LEVEL: 'info' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('GET / describes the platform and links the docs', async () => {
    const response = await stack.request('/');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      name: 'tenantbot',
      docs: '/docs',
      api: '/api/v1',
    });
  });

  it('GET /ping answers pong and /healthz answers ok', async () => {
    const ping = await stack.request('/ping');
    expect(await ping.text()).toBe('pong');
    expect(ping.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await (await stack.request('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('gives every response an X-Request-ID, keeping a well-formed one from the client', async () => {
    const generated = await stack.request('/ping');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await stack.request('/ping', { headers: { 'X-Request-ID': 'edge-proxy-42' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-proxy-42');
    const replaced = await stack.request('/ping', {
      headers: { 'X-Request-ID': 'bad id\twith tab' },
    });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id\twith tab');
  });

  it('answers unknown routes with the JSON error shape and a stable code', async () => {
    const response = await stack.request('/api/v1/does-not-exist');
    const body = await response.json();
    expect(response.status).toBe(404);
    expect(body).toEqual({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      message: expect.any(String),
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const response = await stack.request('/ping', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"unterminated',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'MALFORMED_JSON', statusCode: 400 });
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await stack.request('/ping', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const document = (await (await stack.request('/docs-json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/ping', '/healthz']),
    );
    const ui = await stack.request('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('serves Prometheus metrics labelled by route pattern, without a tenant label', async () => {
    await stack.request('/ping');
    const text = await stack.metricsText();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/ping",status_code="200"\} \d+/,
    );
    expect(text).toMatch(/http_request_duration_seconds_bucket\{/);
    expect(text).not.toMatch(/http_requests_total\{[^}]*tenant=/);
  });

  it('answers /metrics only to Bearer METRICS_TOKEN, with 401 for anything else', async () => {
    const cases: [string, Record<string, string>][] = [
      ['no credential', {}],
      ['another bearer', { authorization: 'Bearer not-the-metrics-token' }],
      ['the token without Bearer', { authorization: String(stack.env.METRICS_TOKEN) }],
      ['the token with a suffix', { authorization: `Bearer ${stack.env.METRICS_TOKEN}x` }],
    ];
    for (const path of ['/metrics', '/metrics/']) {
      for (const [name, headers] of cases) {
        const response = await stack.request(path, { headers });
        const body = (await response.json()) as { code: string };
        expect({ path, name, status: response.status, code: body.code }).toEqual({
          path,
          name,
          status: 401,
          code: 'UNAUTHORIZED',
        });
      }
    }
    const encoded = await stack.request('/%6detrics', {
      headers: { authorization: `Bearer ${stack.env.METRICS_TOKEN}` },
    });
    expect(encoded.status).toBe(404); // a spelling the load balancer's path rule would not catch
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    const withUserToken = await superAdmin.get('/metrics');
    expect(withUserToken).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
  });

  it('has metrics off when no METRICS_TOKEN is configured', async () => {
    const gateway = await stack.addGateway('gateway-without-metrics', { METRICS_TOKEN: '' });
    const response = await fetch(`${gateway}/metrics`, {
      headers: { authorization: `Bearer ${stack.env.METRICS_TOKEN}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('writes structured JSON logs carrying the request id', async () => {
    const response = await stack.request('/healthz', {
      headers: { 'X-Request-ID': 'log-trace-7' },
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        service: 'gateway',
        request_id: 'log-trace-7',
        route: '/healthz',
        status: 200,
      }),
    );
  });

  it('reports every dependency up with its latency, then 503 when a service is down', async () => {
    const healthy = await stack.request('/health');
    const body = (await healthy.json()) as {
      status: string;
      checks: Record<string, { status: string; latency_ms: number }>;
    };
    expect(healthy.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual([
      'admin',
      'chat',
      'chroma',
      'postgres',
      'rag',
      'redis',
      'tenants',
    ]);
    for (const check of Object.values(body.checks)) {
      expect(check).toMatchObject({ status: 'up', latency_ms: expect.any(Number) });
    }

    await stack.kill('chat');
    const degraded = await stack.request('/health');
    const degradedBody = (await degraded.json()) as typeof body;
    expect(degraded.status).toBe(503);
    expect(degradedBody.status).toBe('degraded');
    expect(degradedBody.checks.chat.status).toBe('down');
    expect(degradedBody.checks.tenants.status).toBe('up');
  });
});
