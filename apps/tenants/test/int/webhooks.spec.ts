import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  type TenantId,
  WEBHOOK_EVENTS,
  webhookCreateSchema,
  type WebhookDelivery,
  type WebhookEventType,
  webhookPayloadSchema,
} from '@tenantbot/contracts';
import { FakeDnsServer } from '@tenantbot/testing';

import { WebhookService } from '../../src/webhook/webhook.service';
import { verifyWebhookSignature } from '../../src/webhook/webhook-signature';
import { callerOf, expectCode, tenantAdmin, TenantsTestApp } from '../support/tenants-test-app';

interface Received {
  path: string;
  body: string;
  signature: string;
}

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

/** A webhook receiver on loopback: records every request, answers as the test says per path. */
class Receiver {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, Answer[]>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const handlers: Receiver[] = [];
    const server = createServer((request, response) => handlers[0]?.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    handlers.push(new Receiver(server));
    return handlers[0];
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  /** The next requests to `path` are answered by these, in order; then 200. */
  answerWith(path: string, ...answers: Answer[]): void {
    this.answers.set(path, answers);
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      this.received.push({
        path,
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers['x-tenantbot-signature'] ?? ''),
      });
      const answer = this.answers.get(path)?.shift();
      if (answer) {
        answer(request, response);
      } else {
        response.writeHead(200).end('ok');
      }
    });
  }
}

const status =
  (code: number): Answer =>
  (_request, response) =>
    response.writeHead(code).end();
const silentFor =
  (ms: number): Answer =>
  (_request, response) => {
    setTimeout(() => response.writeHead(200).end(), ms).unref();
  };

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const TIMEOUT_MS = 400;

describe('tenants in process: webhooks', () => {
  let app: TenantsTestApp;
  let dns: FakeDnsServer;
  let receiver: Receiver;
  let webhooks: WebhookService;
  let tenantA: TenantId;
  let tenantB: TenantId;

  beforeAll(async () => {
    dns = await FakeDnsServer.start();
    receiver = await Receiver.start();
    app = await TenantsTestApp.start({
      DNS_RESOLVER: dns.address,
      WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}`,
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    webhooks = app.get(WebhookService);
    [tenantA, tenantB] = [await app.createTenant('A'), await app.createTenant('B')];
  });

  afterAll(async () => {
    await app.stop();
    await receiver.close();
    await dns.close();
  });

  const register = (
    tenant: TenantId,
    url: string,
    events: WebhookEventType[] = [WEBHOOK_EVENTS.DOCUMENT_COMPLETED],
  ) => webhooks.create(tenantAdmin(tenant), webhookCreateSchema.parse({ url, events }));

  const documentCompleted = (tenant: TenantId, eventId = randomUUID()) => ({
    tenantId: tenant,
    eventId,
    document_id: randomUUID(),
    version: 1,
    chunk_count: 3,
  });

  const deliveriesOf = (tenant: TenantId, id: string) =>
    webhooks.deliveriesOf(tenantAdmin(tenant), id, 50);

  const settled = (tenant: TenantId, id: string, attempts: number) =>
    eventually(
      () => deliveriesOf(tenant, id),
      (rows: WebhookDelivery[]) => rows.length >= attempts,
    );

  it('signs each delivery so that the secret, shown once, verifies it', async () => {
    const created = await register(tenantA, receiver.url('/signed'));
    expect(created.secret).toMatch(/^whsec_/);
    expect((await webhooks.list(tenantAdmin(tenantA)))[0]).not.toHaveProperty('secret');
    const { rows } = await app.owner.query<{ secret_ciphertext: string }>(
      `SELECT secret_ciphertext FROM webhooks WHERE id = $1`,
      [created.id],
    );
    expect(rows[0].secret_ciphertext).not.toContain(created.secret.slice(6));

    const event = documentCompleted(tenantA);
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, event);
    const [delivery] = await settled(tenantA, created.id, 1);
    expect(delivery).toMatchObject({ outcome: 'delivered', response_status: 200, attempt: 1 });

    const [request] = receiver.at('/signed');
    expect(verifyWebhookSignature(created.secret, request.body, request.signature)).toBe(true);
    expect(verifyWebhookSignature('whsec_other', request.body, request.signature)).toBe(false);
    expect(verifyWebhookSignature(created.secret, `${request.body} `, request.signature)).toBe(
      false,
    );
    const payload = webhookPayloadSchema.parse(JSON.parse(request.body));
    expect(payload).toMatchObject({
      id: event.eventId,
      type: 'document.completed',
      tenant_id: tenantA,
      data: { document_id: event.document_id, version: 1, chunk_count: 3 },
    });
    expect(payload.data).not.toHaveProperty('tenantId');
  });

  it('delivers an event that reaches the service twice once (deduplicated by its id)', async () => {
    const created = await register(tenantA, receiver.url('/once'));
    const event = documentCompleted(tenantA);
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, event);
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, event);
    await settled(tenantA, created.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.at('/once')).toHaveLength(1);
    expect(await deliveriesOf(tenantA, created.id)).toHaveLength(1);
  });

  it('retries a 500 with growing delays until the endpoint takes it', async () => {
    const created = await register(tenantA, receiver.url('/flaky'));
    receiver.answerWith('/flaky', status(500), status(503));
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, documentCompleted(tenantA));
    const attempts = (await settled(tenantA, created.id, 3)).reverse();
    expect(attempts.map((a) => [a.attempt, a.outcome, a.response_status])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 503],
      [3, 'delivered', 200],
    ]);
    expect(attempts[0].next_attempt_at).not.toBeNull();
    expect(attempts[2].next_attempt_at).toBeNull();
    const gaps = [1, 2].map(
      (i) => Date.parse(attempts[i].created_at) - Date.parse(attempts[i - 1].created_at),
    );
    expect(gaps[0]).toBeGreaterThanOrEqual(90); // 100 ms, then 200 ms
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
  });

  it('gives a receiver that does not answer in time a failure, and retries it', async () => {
    const created = await register(tenantA, receiver.url('/slow'));
    receiver.answerWith('/slow', silentFor(TIMEOUT_MS * 4));
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, documentCompleted(tenantA));
    const [second, first] = await settled(tenantA, created.id, 2);
    expect(first).toMatchObject({ outcome: 'failed', response_status: null });
    expect(first.error).toMatch(/no answer within 400 ms/);
    expect(first.duration_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(first.duration_ms).toBeLessThan(TIMEOUT_MS * 3);
    expect(second).toMatchObject({ outcome: 'delivered', attempt: 2 });
  });

  it('refuses private, loopback, link-local and metadata URLs at registration', async () => {
    dns.setAddress('internal.example.test', '10.1.2.3');
    dns.setAddress('mixed.example.test', '93.184.216.34', '192.168.1.1');
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:9/hook', // loopback, but not the allowed test port
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0/hook',
      'http://100.64.0.1/hook',
      'http://internal.example.test/hook',
      'http://mixed.example.test/hook',
      'http://nowhere.example.test/hook',
      'http://user:pass@93.184.216.34/hook',
    ]) {
      await expectCode(register(tenantA, url), 'URL_NOT_ALLOWED');
    }
    expect(
      (await webhooks.list(tenantAdmin(tenantA))).filter((w) => !w.url.includes('127.0.0.1')),
    ).toEqual([]);
  });

  it('refuses at delivery a name that now resolves to a private address (DNS rebinding)', async () => {
    dns.setAddress('rebind.example.test', '93.184.216.34');
    const created = await register(tenantA, receiver.url('/rebind', 'rebind.example.test'));
    dns.setAddress('rebind.example.test', '127.0.0.1');
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, documentCompleted(tenantA));
    const [refused] = await settled(tenantA, created.id, 1);
    expect(refused).toMatchObject({ outcome: 'refused', attempt: 1, next_attempt_at: null });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await deliveriesOf(tenantA, created.id)).toHaveLength(1); // not retried
    expect(receiver.at('/rebind')).toEqual([]);
  });

  it('sends a test event on demand', async () => {
    const created = await register(tenantA, receiver.url('/ping'));
    const { event_id } = await webhooks.test(tenantAdmin(tenantA), created.id);
    const [delivery] = await settled(tenantA, created.id, 1);
    expect(delivery).toMatchObject({ event_id, event_type: 'webhook.test', outcome: 'delivered' });
  });

  it('keeps one tenant’s endpoints and events from another', async () => {
    const ofA = await register(tenantA, receiver.url('/a-only'), [
      WEBHOOK_EVENTS.DOCUMENT_COMPLETED,
      WEBHOOK_EVENTS.BUDGET_ALERT,
    ]);
    const ofB = await register(tenantB, receiver.url('/b-only'), [
      WEBHOOK_EVENTS.DOCUMENT_COMPLETED,
      WEBHOOK_EVENTS.BUDGET_ALERT,
    ]);
    const b = tenantAdmin(tenantB);
    expect((await webhooks.list(b)).map((w) => w.id)).toEqual([ofB.id]);
    await expectCode(webhooks.deliveriesOf(b, ofA.id, 50), 'WEBHOOK_NOT_FOUND');
    await expectCode(webhooks.test(b, ofA.id), 'WEBHOOK_NOT_FOUND');
    await expectCode(webhooks.delete(b, ofA.id), 'WEBHOOK_NOT_FOUND');
    await expectCode(webhooks.list(callerOf('agent', tenantA)), 'FORBIDDEN');
    await expectCode(webhooks.list(callerOf('user', tenantA)), 'FORBIDDEN');

    // B's events reach B's endpoint only.
    await webhooks.relay(WEBHOOK_EVENTS.DOCUMENT_COMPLETED, documentCompleted(tenantB));
    await webhooks.relay(WEBHOOK_EVENTS.BUDGET_ALERT, {
      tenantId: tenantB,
      budget: 'tokens_per_day',
      used_fraction: 0.8,
    });
    await settled(tenantB, ofB.id, 2);
    expect(receiver.at('/b-only')).toHaveLength(2);
    expect(receiver.at('/a-only')).toEqual([]);
    expect(await deliveriesOf(tenantA, ofA.id)).toEqual([]);
    // And an endpoint subscribed to other types hears nothing of this one.
    await webhooks.relay(WEBHOOK_EVENTS.MESSAGE_FEEDBACK, {
      tenantId: tenantA,
      eventId: randomUUID(),
      message_id: randomUUID(),
      conversation_id: randomUUID(),
      rating: 'up',
      has_comment: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.at('/a-only')).toEqual([]);

    await webhooks.delete(tenantAdmin(tenantA), ofA.id);
    expect((await webhooks.list(tenantAdmin(tenantA))).map((w) => w.id)).not.toContain(ofA.id);
  });
});
