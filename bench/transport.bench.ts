// npm run bench:transport — round trips over the Redis Streams transport, next to a raw
// Redis round trip and Nest's built-in Redis (pub/sub) transport, in the same run.
import 'reflect-metadata';

import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { type ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';

import { measure, type Measurement, printTable } from '@tenantbot/testing';
import { RedisStreamsClient } from '@tenantbot/transport';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `tbbench:${process.pid}`;
const SEQUENTIAL_CALLS = Number(process.env.BENCH_SEQUENTIAL_CALLS ?? 3000);
const CONCURRENT_CALLS = Number(process.env.BENCH_CONCURRENT_CALLS ?? 30000);
const CONCURRENCY = 64;
const payload = { tenant: 'bench', text: 'hello transport' };

type Call = () => Promise<unknown>;

async function startServer(mode: 'streams' | 'nest-redis'): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'echo-server.js'), [mode, redisUrl, prefix], {
    stdio: 'inherit',
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
type Mode = { name: string; calls: number; concurrency: number };
const MODES: Mode[] = [
  { name: 'sequential', calls: SEQUENTIAL_CALLS, concurrency: 1 },
  { name: `${CONCURRENCY} concurrent`, calls: CONCURRENT_CALLS, concurrency: CONCURRENCY },
];

interface Path {
  name: string;
  call: Call;
}

/**
 * Measures every path in interleaved rounds and keeps each path's median round, so a burst
 * of background load on this 2-core machine does not land on one path only.
 */
async function runAll(paths: Path[]): Promise<Record<string, string | number>[]> {
  for (const path of paths) {
    await measure(path.call, 2000, CONCURRENCY);
  } // warm-up
  const results = new Map<string, Measurement[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      for (const path of paths) {
        const key = `${path.name}\u0000${mode.name}`;
        const runs = results.get(key) ?? [];
        runs.push(await measure(path.call, mode.calls, mode.concurrency));
        results.set(key, runs);
      }
    }
  }
  return MODES.flatMap((mode) =>
    paths.map((path) => {
      const runs = results.get(`${path.name}\u0000${mode.name}`) ?? [];
      const median = [...runs].sort((a, b) => a.perSecond - b.perSecond)[
        Math.floor(runs.length / 2)
      ];
      return {
        path: path.name,
        mode: mode.name,
        calls: median.calls,
        'p50 ms': median.p50Ms,
        'p99 ms': median.p99Ms,
        'calls/s': Math.round(median.perSecond),
      };
    }),
  );
}

async function main(): Promise<void> {
  const raw = new Redis(redisUrl);
  const stream = `${prefix}:raw`;
  const nestServer = await startServer('nest-redis');
  const streamsServer = await startServer('streams');
  const url = new URL(redisUrl);
  const nestClient: ClientProxy = ClientProxyFactory.create({
    transport: Transport.REDIS,
    options: { host: url.hostname, port: Number(url.port || 6379) },
  });
  await nestClient.connect();
  const streamsClient = new RedisStreamsClient({ name: 'bench', redisUrl, prefix });
  await streamsClient.connect();

  const rows = await runAll([
    { name: 'raw Redis PING', call: () => raw.ping() },
    {
      name: 'raw Redis XADD + XRANGE',
      call: async () => {
        const id = await raw.xadd(stream, 'MAXLEN', '~', 1000, '*', 'm', JSON.stringify(payload));
        await raw.xrange(stream, id as string, id as string);
      },
    },
    {
      name: 'Nest built-in Redis transport',
      call: () => firstValueFrom(nestClient.send('bench.echo', payload)),
    },
    {
      name: 'Redis Streams transport (ours)',
      call: () => streamsClient.request('bench.echo', payload),
    },
  ]);

  await nestClient.close();
  await streamsClient.close();
  await Promise.all([stop(nestServer), stop(streamsServer)]);
  const keys = await raw.keys(`${prefix}:*`);
  if (keys.length > 0) {
    await raw.unlink(...keys);
  }
  await raw.quit();

  printTable(
    `Transport round trips, median of ${ROUNDS} interleaved rounds; ${process.platform}/${process.arch}, ` +
      `Node ${process.version}, ${cpus().length} cores shared by client, servers and Redis`,
    rows,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
