// A replica of the test-only "echo" service, run as its own process by the transport tests:
//   node dist/libs/transport/test/echo-replica.js
// It records every request it starts and finishes in Redis, so tests can count them.
import 'reflect-metadata';

import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import pino from 'pino';
import { finalize, interval, map, take } from 'rxjs';

import { DomainError } from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

import { RedisStreamsServer, RpcErrorFilter, TransportRedelivery } from '../src';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.REDIS_PREFIX ?? 'tbtest';
const recorder = new Redis(redisUrl);
const server = new RedisStreamsServer({
  service: 'echo',
  redisUrl,
  prefix,
  claimIdleMs: Number(process.env.TRANSPORT_CLAIM_IDLE_MS ?? 500),
});

@Controller()
class EchoController {
  @MessagePattern('echo.work')
  async work(
    @Payload() input: { n: number; delayMs?: number },
    @TransportRedelivery() redelivered: boolean,
  ) {
    await recorder.hincrby(`${prefix}:echo:started`, String(input.n), 1);
    if (redelivered) {
      await recorder.hincrby(`${prefix}:echo:redelivered`, String(input.n), 1);
    }
    if (input.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, input.delayMs));
    }
    await recorder.hincrby(`${prefix}:echo:by-replica`, server.consumer, 1);
    return { n: input.n, replica: server.consumer };
  }

  @MessagePattern('echo.stream')
  stream(@Payload() input: { count: number }) {
    return interval(0).pipe(
      take(input.count),
      map((i) => i),
    );
  }

  @MessagePattern('echo.ticks')
  ticks() {
    return interval(5).pipe(
      finalize(() => void recorder.set(`${prefix}:echo:ticks-stopped`, String(Date.now()))),
    );
  }

  @MessagePattern('echo.context')
  context() {
    return currentContext();
  }

  @MessagePattern('echo.fail')
  fail() {
    throw new DomainError('NOT_FOUND', 'nothing here', { id: 42 });
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function main() {
  const app = await NestFactory.createMicroservice(EchoModule, { strategy: server, logger: false });
  app.useGlobalFilters(new RpcErrorFilter(pino({ level: 'silent' })));
  await app.listen();
  process.send?.({ ready: server.consumer });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
