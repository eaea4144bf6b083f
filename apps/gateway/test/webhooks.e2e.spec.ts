import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Delivery {
  path: string;
  body: string;
  signature: string;
}

const HANDBOOK =
  '# Returns policy\n\nCustomers may return any parcel within 30 days of delivery for a full refund.';

/** docs/webhooks.md's verification, as an integrator writes it. */
function verify(secret: string, body: string, header: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2)));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

/** The body as text (the API client would parse a one-line JSON-lines body as JSON). */
async function raw(client: ApiClient, path: string) {
  const response = await fetch(new URL(path, client.baseUrl), {
    headers: { authorization: `Bearer ${client.token}`, 'x-tenant-id': client.tenant ?? '' },
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('webhooks, feedback and export through the gateway (e2e)', () => {
  let stack: TestStack;
  let receiver: Server;
  const deliveries: Delivery[] = [];
  let acme: TenantFixture;
  let other: TenantFixture;
  let acmeHook: Json;
  let otherHook: Json;
  let conversationId: string;
  let answerId: string;

  const hookUrl = (path: string) =>
    `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;

  async function arrived(path: string, type: string, timeoutMs = 30_000): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = deliveries.find(
        (delivery) => delivery.path === path && JSON.parse(delivery.body).type === type,
      );
      if (found || Date.now() > deadline) {
        if (!found) {
          throw new Error(`no ${type} at ${path}: ${JSON.stringify(deliveries)}`);
        }
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({
          path: request.url ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(request.headers['x-tenantbot-signature'] ?? ''),
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stack = await TestStack.start({
      env: {
        TRANSPORT_TIMEOUT_MS: '30000',
        WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${(receiver.address() as AddressInfo).port}`,
        WEBHOOK_RETRY_BASE_MS: '200',
      },
      readyTimeoutMs: 90_000,
    });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    [acme, other] = await Promise.all([
      createTenantWithUsers(superAdmin, 'acme'),
      createTenantWithUsers(superAdmin, 'other'),
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('registers endpoints with a secret shown once, and refuses internal URLs', async () => {
    const created = await acme.as.tenant_admin.post('/api/v1/webhooks', {
      url: hookUrl('/acme'),
      events: ['document.completed', 'message.feedback'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), secret: expect.any(String) });
    acmeHook = created.body;
    otherHook = (
      await other.as.tenant_admin.post('/api/v1/webhooks', {
        url: hookUrl('/other'),
        events: ['document.completed', 'message.feedback'],
      })
    ).body;

    const listed = await acme.as.tenant_admin.get('/api/v1/webhooks');
    expect(listed.body).toEqual([
      {
        id: acmeHook.id,
        url: hookUrl('/acme'),
        events: ['document.completed', 'message.feedback'],
        created_at: expect.any(String),
      },
    ]);
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.7/hook']) {
      const refused = await acme.as.tenant_admin.post('/api/v1/webhooks', {
        url,
        events: ['budget.alert'],
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('URL_NOT_ALLOWED');
    }
    const unknownEvent = await acme.as.tenant_admin.post('/api/v1/webhooks', {
      url: hookUrl('/acme'),
      events: ['document.exploded'],
    });
    expect(unknownEvent.status).toBe(400);
    expect((await acme.as.user.get('/api/v1/webhooks')).status).toBe(403);
  });

  it('signs document.completed to the tenant’s endpoint when its document is ingested', async () => {
    const document = await acme.as.tenant_admin.post('/api/v1/rag/documents', {
      title: 'Handbook',
      text: HANDBOOK,
    });
    expect(document.status).toBe(202);
    const delivery = await arrived('/acme', 'document.completed');
    expect(verify(acmeHook.secret, delivery.body, delivery.signature)).toBe(true);
    expect(verify(otherHook.secret, delivery.body, delivery.signature)).toBe(false);
    expect(JSON.parse(delivery.body)).toMatchObject({
      id: expect.any(String),
      type: 'document.completed',
      tenant_id: acme.id,
      created_at: expect.any(String),
      data: { document_id: document.body.id, chunk_count: expect.any(Number) },
    });
    const log = await acme.as.tenant_admin.get(`/api/v1/webhooks/${acmeHook.id}/deliveries`);
    expect(log.body[0]).toMatchObject({
      event_type: 'document.completed',
      outcome: 'delivered',
      response_status: 204,
    });
    expect(deliveries.filter((d) => d.path === '/other')).toEqual([]);
  });

  it('takes feedback from the answer’s owner only, counts it and sends message.feedback', async () => {
    const answer = await acme.as.user.post('/api/v1/chat/', {
      message: 'How many days do customers have to return a parcel?',
      model: 'local-extractive',
    });
    expect(answer.status).toBe(200);
    conversationId = answer.body.conversation_id;
    const conversation = await acme.as.user.get(`/api/v1/chat/conversations/${conversationId}`);
    const [question, reply] = conversation.body.messages;
    answerId = reply.id;

    const path = `/api/v1/chat/messages/${answerId}/feedback`;
    const rated = await acme.as.user.post(path, { rating: 'down', comment: 'Too short' });
    expect(rated.status).toBe(200);
    expect(rated.body).toMatchObject({ message_id: answerId, rating: 'down' });
    const changed = await acme.as.user.post(path, { rating: 'up' });
    expect(changed.body).toMatchObject({ rating: 'up', comment: null });

    const onQuestion = await acme.as.user.post(`/api/v1/chat/messages/${question.id}/feedback`, {
      rating: 'up',
    });
    expect(onQuestion.status).toBe(400);
    expect(onQuestion.body.code).toBe('MESSAGE_NOT_RATEABLE');
    for (const stranger of [acme.as.agent, acme.as.tenant_admin, other.as.user]) {
      const refused = await stranger.post(path, { rating: 'down' });
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('MESSAGE_NOT_FOUND');
    }
    const invalid = await acme.as.user.post(path, { rating: 'meh' });
    expect(invalid.status).toBe(400);

    const delivery = await arrived('/acme', 'message.feedback');
    expect(verify(acmeHook.secret, delivery.body, delivery.signature)).toBe(true);
    expect(JSON.parse(delivery.body).data).toMatchObject({
      message_id: answerId,
      conversation_id: conversationId,
    });
    const stats = await acme.as.tenant_admin.get('/api/v1/admin/stats');
    expect(stats.body.feedback).toEqual({ up: 1, down: 0 });
    expect((await other.as.tenant_admin.get('/api/v1/admin/stats')).body.feedback).toEqual({
      up: 0,
      down: 0,
    });
  });

  it('exports the tenant’s conversations as JSON lines and CSV, streamed', async () => {
    const jsonl = await raw(acme.as.tenant_admin, '/api/v1/admin/export/conversations');
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = String(jsonl.body)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((c: Json) => c.id)).toEqual([conversationId]);
    expect(lines[0].messages[1]).toMatchObject({
      id: answerId,
      role: 'assistant',
      feedback: { rating: 'up', comment: null },
      sources: [expect.objectContaining({ filename: 'Handbook' })],
    });

    const csv = await raw(
      acme.as.tenant_admin,
      '/api/v1/admin/export/conversations?format=csv&from=2020-01-01',
    );
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const [header, ...rows] = String(csv.body).trim().split('\n');
    expect(header).toMatch(/^conversation_id,conversation_title,/);
    expect(rows.filter((row) => row.startsWith(conversationId))).toHaveLength(2);
    expect(String(csv.body)).toContain(',assistant,');

    const othersExport = await raw(other.as.tenant_admin, '/api/v1/admin/export/conversations');
    expect(othersExport.status).toBe(200);
    expect(String(othersExport.body)).not.toContain(conversationId);
    expect((await acme.as.user.get('/api/v1/admin/export/conversations')).status).toBe(403);
    const badPeriod = await acme.as.tenant_admin.get(
      '/api/v1/admin/export/conversations?from=2026-02-01&to=2026-01-01',
    );
    expect(badPeriod.status).toBe(400);
  });

  it('reports usage as CSV', async () => {
    const usage = await raw(acme.as.tenant_admin, '/api/v1/admin/usage?format=csv&group_by=model');
    expect(usage.status).toBe(200);
    expect(usage.headers.get('content-type')).toMatch(/text\/csv/);
    const [header, ...rows] = String(usage.body).trim().split('\n');
    expect(header).toBe('key,requests,errors,input_tokens,output_tokens,cost_usd');
    expect(rows.some((row) => row.startsWith('local-extractive,'))).toBe(true);
  });

  it('keeps one tenant’s endpoints, deliveries and events from another', async () => {
    const b = other.as.tenant_admin;
    expect((await b.get('/api/v1/webhooks')).body.map((w: Json) => w.id)).toEqual([otherHook.id]);
    for (const [method, path] of [
      ['GET', `/api/v1/webhooks/${acmeHook.id}/deliveries`],
      ['POST', `/api/v1/webhooks/${acmeHook.id}/test`],
      ['DELETE', `/api/v1/webhooks/${acmeHook.id}`],
    ] as const) {
      const response = await b.call(method, path);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('WEBHOOK_NOT_FOUND');
    }
    // Other's own events go to its endpoint only.
    const tested = await b.post(`/api/v1/webhooks/${otherHook.id}/test`);
    expect(tested.status).toBe(202);
    const delivery = await arrived('/other', 'webhook.test');
    expect(verify(otherHook.secret, delivery.body, delivery.signature)).toBe(true);
    expect(
      deliveries.filter((d) => d.path === '/acme').map((d) => JSON.parse(d.body).tenant_id),
    ).toEqual(expect.arrayContaining([acme.id]));
    expect(
      deliveries.filter((d) => d.path === '/acme' && JSON.parse(d.body).tenant_id !== acme.id),
    ).toEqual([]);

    expect((await acme.as.tenant_admin.delete(`/api/v1/webhooks/${acmeHook.id}`)).status).toBe(204);
    expect((await acme.as.tenant_admin.get('/api/v1/webhooks')).body).toEqual([]);
  });
});
