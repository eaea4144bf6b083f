// The service side of the transport benchmark, run as its own process:
//   node dist/bench/echo-server.js streams|nest-redis <redisUrl> <prefix>
import 'reflect-metadata';

import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  MessagePattern,
  type MicroserviceOptions,
  Payload,
  Transport,
} from '@nestjs/microservices';

import { RedisStreamsServer } from '@tenantbot/transport';

@Controller()
class EchoController {
  @MessagePattern('bench.echo')
  echo(@Payload() payload: unknown) {
    return payload;
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function main(): Promise<void> {
  const [mode, redisUrl, prefix] = process.argv.slice(2);
  const url = new URL(redisUrl);
  const options: MicroserviceOptions =
    mode === 'streams'
      ? {
          strategy: new RedisStreamsServer({
            service: 'bench',
            redisUrl,
            prefix,
            maxInFlight: 512,
          }),
        }
      : {
          transport: Transport.REDIS,
          options: { host: url.hostname, port: Number(url.port || 6379) },
        };
  const app = await NestFactory.createMicroservice(EchoModule, { ...options, logger: false });
  await app.listen();
  process.send?.('ready');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
