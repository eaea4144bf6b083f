import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';

import { DomainError, ErrorCode } from '@tenantbot/contracts';
import { runWithContext } from '@tenantbot/tenant-context';

import { RedisStreamsClient, RedisStreamsServer, StreamKeys } from '../src';
import { type Replica, startReplica, stopReplicas } from './replicas';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runPrefix = process.env.REDIS_PREFIX ?? `tbtest:${process.pid}`;
let testNumber = 0;

/** Each test gets its own key prefix: nothing one test leaves behind reaches another. */
function freshPrefix(): string {
  testNumber += 1;
  return `${runPrefix}:transport${testNumber}`;
}

/** The echo service is this test's own, outside the message map: its reply is typed here. */
function echoWork(caller: RedisStreamsClient, input: { n: number; delayMs?: number }) {
  return caller.request('echo.work', input) as Promise<{ n: number; replica: string }>;
}

async function expectDomainError(promise: Promise<unknown>, code: string): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return error as DomainError;
  }
  throw new Error(`expected a ${code} error, but the call succeeded`);
}

describe('Redis Streams transport', () => {
  const redis = new Redis(redisUrl);
  let replicas: Replica[] = [];
  let clients: RedisStreamsClient[] = [];

  function client(prefix: string, timeoutMs = 10_000): RedisStreamsClient {
    const created = new RedisStreamsClient({ name: 'test', redisUrl, prefix, timeoutMs });
    clients.push(created);
    return created;
  }

  async function replicasOf(prefix: string, count: number, claimIdleMs = 2000) {
    const started = await Promise.all(
      Array.from({ length: count }, () =>
        startReplica({ REDIS_PREFIX: prefix, TRANSPORT_CLAIM_IDLE_MS: String(claimIdleMs) }),
      ),
    );
    replicas.push(...started);
    return started;
  }

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await stopReplicas(replicas);
    clients = [];
    replicas = [];
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('hands each of 200 requests to exactly one of two replicas, using both', async () => {
    const prefix = freshPrefix();
    const [a, b] = await replicasOf(prefix, 2);
    const caller = client(prefix);

    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, n) => echoWork(caller, { n, delayMs: 2 })),
    );

    expect(replies.map((reply) => reply.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    const started = await redis.hgetall(`${prefix}:echo:started`);
    expect(Object.keys(started)).toHaveLength(200);
    expect(Object.values(started).every((count) => count === '1')).toBe(true);
    const byReplica = await redis.hgetall(`${prefix}:echo:by-replica`);
    expect(Number(byReplica[a.consumer])).toBeGreaterThan(0);
    expect(Number(byReplica[b.consumer])).toBeGreaterThan(0);
    expect(Number(byReplica[a.consumer]) + Number(byReplica[b.consumer])).toBe(200);
  });

  it('finishes the requests of a replica killed mid-request on another replica', async () => {
    const prefix = freshPrefix();
    const [doomed, survivor] = await replicasOf(prefix, 2, 400);
    const caller = client(prefix, 15_000);

    const calls = Array.from({ length: 40 }, (_, n) => echoWork(caller, { n, delayMs: 600 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startedBeforeKill = await redis.hgetall(`${prefix}:echo:started`);
    doomed.process.kill('SIGKILL');

    const replies = await Promise.all(calls);

    expect(Object.keys(startedBeforeKill).length).toBe(40); // both replicas had work in flight
    expect(replies.map((reply) => reply.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(replies.every((reply) => reply.replica === survivor.consumer)).toBe(true);
    // What the survivor ran again is marked as redelivered; what it read first is not.
    const started = await redis.hgetall(`${prefix}:echo:started`);
    const redelivered = await redis.hgetall(`${prefix}:echo:redelivered`);
    const ranTwice = Object.keys(started).filter((n) => started[n] === '2');
    expect(ranTwice.length).toBeGreaterThan(0);
    expect(ranTwice.every((n) => redelivered[n] === '1')).toBe(true);
    expect(Object.keys(redelivered).length).toBeLessThan(40);
    const keys = new StreamKeys(prefix);
    expect(await redis.xpending(keys.requests('echo'), 'echo')).toEqual([0, null, null, null]);
  });

  it('fails with SERVICE_UNAVAILABLE within the deadline when no replica runs', async () => {
    const caller = client(freshPrefix());
    const started = Date.now();

    await expectDomainError(
      caller.request('echo.work', { n: 1 }, { timeoutMs: 400 }),
      ErrorCode.SERVICE_UNAVAILABLE,
    );

    // Without a deadline the request would wait for a replica forever; the margin is wide on purpose.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails with TIMEOUT within the deadline when a live replica is too slow', async () => {
    const prefix = freshPrefix();
    await replicasOf(prefix, 1);
    const caller = client(prefix);
    const started = Date.now();

    await expectDomainError(
      caller.request('echo.work', { n: 1, delayMs: 4_000 }, { timeoutMs: 300 }),
      ErrorCode.TIMEOUT,
    );

    // The replica would answer after 4 s; failing well before that shows the deadline cut the wait.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('streams 1,000 values in order, then completes', async () => {
    const prefix = freshPrefix();
    await replicasOf(prefix, 2);
    const caller = client(prefix);

    const values = await lastValueFrom(caller.call('echo.stream', { count: 1000 }).pipe(toArray()));

    expect(values).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('stops a streamed reply on the replica when the caller unsubscribes', async () => {
    const prefix = freshPrefix();
    await replicasOf(prefix, 1);
    const caller = client(prefix);

    const firstTicks = await firstValueFrom(caller.call('echo.ticks', {}).pipe(take(3), toArray()));
    const stopped = await waitFor(() => redis.get(`${prefix}:echo:ticks-stopped`), 3000);

    expect(firstTicks).toEqual([0, 1, 2]);
    expect(Number(stopped)).toBeGreaterThan(0);
  });

  it('keeps the code, message and details of a handler error', async () => {
    const prefix = freshPrefix();
    await replicasOf(prefix, 1);

    const error = await expectDomainError(client(prefix).request('echo.fail', {}), 'NOT_FOUND');

    expect(error.message).toBe('nothing here');
    expect(error.details).toEqual({ id: 42 });
  });

  it('carries the tenant context and request id to the handler', async () => {
    const prefix = freshPrefix();
    await replicasOf(prefix, 1);
    const caller = client(prefix);
    const context = {
      requestId: 'req-123',
      tenantId: 'tenant-a',
      principal: { userId: 'user-1', role: 'agent' as const },
    };

    const seen = await runWithContext(context, () => caller.request('echo.context', {}));

    expect(seen).toEqual(context);
  });

  it('keeps Redis memory bounded: handled requests and read replies are removed', async () => {
    const prefix = freshPrefix();
    await replicasOf(prefix, 2);
    const caller = client(prefix);
    const keys = new StreamKeys(prefix);

    await Promise.all(Array.from({ length: 300 }, (_, n) => caller.request('echo.work', { n })));
    await caller.request('echo.work', { n: 300 });

    expect(await redis.xlen(keys.requests('echo'))).toBe(0);
    // Read replies are trimmed in batches, in the background: never more than a batch waits.
    expect(await redis.xlen(keys.replies(caller.clientId))).toBeLessThanOrEqual(257);
    const trimmed = await waitFor(async () => {
      const length = await redis.xlen(keys.replies(caller.clientId));
      return length <= 1 ? length : null;
    }, 5000);
    expect(trimmed).toBeLessThanOrEqual(1);
    expect(await redis.ttl(keys.replies(caller.clientId))).toBeGreaterThan(0);
  });

  describe('events', () => {
    const received: Record<string, string[]> = {};
    let apps: INestMicroservice[] = [];

    function subscriber(service: string) {
      @Controller()
      class AuditController {
        @EventPattern('tenant.deleted')
        onDeleted(@Payload() event: { tenantId: string }) {
          (received[service] ??= []).push(event.tenantId);
        }
      }
      @Module({ controllers: [AuditController] })
      class SubscriberModule {}
      return SubscriberModule;
    }

    afterEach(async () => {
      await Promise.all(apps.map((app) => app.close()));
      apps = [];
    });

    it('delivers each event once to every subscribing service, whatever its replicas', async () => {
      const prefix = freshPrefix();
      for (const service of ['audit', 'billing']) {
        for (let replica = 0; replica < 2; replica++) {
          const app = await NestFactory.createMicroservice(subscriber(service), {
            strategy: new RedisStreamsServer({ service, redisUrl, prefix }),
            logger: false,
          });
          await app.listen();
          apps.push(app);
        }
      }
      const caller = client(prefix);
      await caller.connect();

      for (let n = 0; n < 50; n++) {
        await lastValueFrom(caller.emit('tenant.deleted', { tenantId: `t${n}` }), {
          defaultValue: undefined,
        });
      }
      await waitFor(
        async () =>
          received.audit?.length === 50 && received.billing?.length === 50 ? true : null,
        5000,
      );
      await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive now

      const expected = Array.from({ length: 50 }, (_, n) => `t${n}`);
      expect([...received.audit].sort()).toEqual([...expected].sort());
      expect([...received.billing].sort()).toEqual([...expected].sort());
    });
  });

  describe('after a Redis restart', () => {
    let ownRedis: ChildProcess | undefined;

    afterAll(() => {
      ownRedis?.kill('SIGKILL');
    });

    it('calls work again without restarting the processes', async () => {
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      ownRedis = await startRedisServer(port);
      const prefix = freshPrefix();
      replicas.push(await startReplica({ REDIS_URL: url, REDIS_PREFIX: prefix }));
      const caller = new RedisStreamsClient({
        name: 'test',
        redisUrl: url,
        prefix,
        timeoutMs: 1000,
      });
      clients.push(caller);
      expect(await caller.request('echo.work', { n: 1 })).toMatchObject({ n: 1 });

      ownRedis.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 300));
      ownRedis = await startRedisServer(port);

      const reply = await retryUntil(() => caller.request('echo.work', { n: 2 }), 15_000);
      expect(reply).toMatchObject({ n: 2 });
    });
  });
});

async function waitFor<T>(probe: () => Promise<T | null>, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== null && value !== undefined) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${limitMs} ms`);
}

async function retryUntil<T>(attempt: () => Promise<T>, limitMs: number): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > until) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis(`redis://127.0.0.1:${port}`, {
    lazyConnect: true,
    retryStrategy: () => 50,
  });
  probe.on('error', () => undefined);
  await retryUntil(async () => {
    await probe.connect().catch(() => undefined);
    return probe.ping();
  }, 5000);
  probe.disconnect();
  return child;
}
