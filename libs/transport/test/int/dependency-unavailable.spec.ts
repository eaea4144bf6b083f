import { createServer } from 'node:net';

import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import { firstValueFrom } from 'rxjs';

import { DomainError, ErrorCode, isDependencyUnavailable } from '@tenantbot/contracts';

import { RpcErrorFilter } from '../../src';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const filter = new RpcErrorFilter(pino({ level: 'silent' }));

/** The error body a service answers with for what its handler threw. */
async function answerFor(error: unknown) {
  try {
    await firstValueFrom(filter.catch(error));
  } catch (body) {
    return body as { code: string; message: string };
  }
  throw new Error('the filter did not fail');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('a dependency out of reach is SERVICE_UNAVAILABLE, not INTERNAL_ERROR', () => {
  it('PostgreSQL refusing connections', async () => {
    const url = new URL(databaseUrl);
    url.port = String(await closedPort());
    const client = new pg.Client({ connectionString: url.toString() });
    const error = await caught(() => client.connect());
    await client.end().catch(() => undefined);
    expect(isDependencyUnavailable(error)).toBe(true);
    expect((await answerFor(error)).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it('a PostgreSQL connection terminated by the server', async () => {
    const victim = new pg.Client({ connectionString: databaseUrl });
    const admin = new pg.Client({ connectionString: databaseUrl });
    await Promise.all([victim.connect(), admin.connect()]);
    victim.on('error', () => undefined);
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    const error = await caught(() => victim.query('SELECT 1'));
    await victim.end().catch(() => undefined);
    expect(isDependencyUnavailable(error)).toBe(true);
    expect((await answerFor(error)).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it('Redis out of reach', async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const ended = new Promise((resolve) => redis.once('end', resolve));
    const error = await caught(() => redis.get('x'));
    await ended;
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('an HTTP dependency (Chroma) refusing connections, seen through fetch', async () => {
    const port = await closedPort();
    const error = await caught(() => fetch(`http://127.0.0.1:${port}/`));
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('keeps real bugs and domain errors as they are', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const syntax = await caught(() => client.query('SELEC 1'));
    await client.end();
    expect(isDependencyUnavailable(syntax)).toBe(false);
    expect((await answerFor(syntax)).code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(isDependencyUnavailable(new TypeError('x is undefined'))).toBe(false);
    const domain = new DomainError(ErrorCode.DOCUMENT_NOT_FOUND, 'no such document');
    expect((await answerFor(domain)).code).toBe(ErrorCode.DOCUMENT_NOT_FOUND);
  });
});
