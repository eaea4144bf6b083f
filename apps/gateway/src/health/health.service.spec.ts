import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';

import { RAG_DEPENDENCIES } from '@tenantbot/contracts';
import type { RedisStreamsClient } from '@tenantbot/transport';

import type { HealthRepository } from './health.repository';
import { HealthService } from './health.service';

/** Every dependency up, unless named in `down`. */
function healthOf(down: { postgres?: boolean; chroma?: boolean; chat?: boolean } = {}) {
  const database = {
    ping: () => (down.postgres ? Promise.reject(new Error('refused')) : Promise.resolve()),
  };
  const redis = { ping: () => Promise.resolve('PONG') };
  const transport = {
    request: (pattern: string) => {
      if (pattern === RAG_DEPENDENCIES) {
        return Promise.resolve({
          chroma: down.chroma ? { status: 'down', latency_ms: 1, error: 'gone' } : { status: 'up' },
        });
      }
      if (down.chat && pattern === 'chat.ping') {
        return Promise.reject(new Error('no replica'));
      }
      return Promise.resolve({});
    },
  };
  return new HealthService(
    database as unknown as HealthRepository,
    transport as unknown as RedisStreamsClient,
    redis as unknown as Redis,
  );
}

describe('HealthService', () => {
  it('is ok when Postgres, Redis, Chroma and every service answer', async () => {
    const report = await healthOf().check();
    expect(report.status).toBe('ok');
    expect(Object.keys(report.checks)).toEqual([
      'postgres',
      'redis',
      'chroma',
      'tenants',
      'rag',
      'chat',
      'admin',
    ]);
  });

  it('is degraded, naming what is down and why, when one dependency fails', async () => {
    const report = await healthOf({ postgres: true, chroma: true, chat: true }).check();
    expect(report.status).toBe('degraded');
    expect(report.checks.postgres).toMatchObject({ status: 'down', error: 'refused' });
    expect(report.checks.chroma).toMatchObject({ status: 'down', error: 'gone' });
    expect(report.checks.chat).toMatchObject({ status: 'down', error: 'no replica' });
    expect(report.checks.redis.status).toBe('up');
  });
});
