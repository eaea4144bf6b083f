// Container health check for a service that has no HTTP port:
//   node dist/libs/transport/src/healthcheck.js <service>
// Exits 0 when a replica of the service answers `<service>.ping` within 3 s.
import { PING_PATTERN, SERVICE_NAMES, type ServiceName } from '@tenantbot/contracts';

import { RedisStreamsClient } from './streams.client';

async function main(): Promise<number> {
  const service = process.argv[2] as ServiceName;
  if (!SERVICE_NAMES.includes(service)) {
    process.stderr.write(`usage: healthcheck <${SERVICE_NAMES.join('|')}>\n`);
    return 2;
  }
  const client = new RedisStreamsClient({
    name: 'healthcheck',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPassword: process.env.REDIS_PASSWORD || undefined,
    prefix: process.env.REDIS_PREFIX ?? 'tb',
  });
  try {
    await client.request(PING_PATTERN[service], {}, { timeoutMs: 3000 });
    return 0;
  } catch (error) {
    process.stderr.write(`${service} is not healthy: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}

void main().then((code) => process.exit(code));
