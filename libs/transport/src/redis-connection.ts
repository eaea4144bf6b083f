import { Redis } from 'ioredis';

export type ConnectionRole = 'commands' | 'blocking' | 'subscriber';

/**
 * Connections reconnect forever with a capped backoff, so a Redis restart heals without a
 * process restart. Commands fail fast while Redis is away (callers get a clear error);
 * blocking reads wait for it to come back.
 */
export function createRedisConnection(
  url: string,
  name: string,
  role: ConnectionRole,
  password?: string,
): Redis {
  return new Redis(url, {
    ...(password ? { password } : {}),
    connectionName: name.replace(/[^A-Za-z0-9:_.-]/g, '_'),
    lazyConnect: true,
    maxRetriesPerRequest: role === 'commands' ? 1 : null,
    // A command whose connection dropped before its reply may still have run (an XADD that a
    // restarted Redis kept): sending it again would enqueue a request twice. It fails instead,
    // and the caller sees a clean error. Blocking reads are safe to re-issue.
    autoResendUnfulfilledCommands: role !== 'commands',
    // Commands issued in the same tick leave in one write: far fewer syscalls under load.
    enableAutoPipelining: role === 'commands',
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
  });
}

export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOGROUP');
}

export function isBusyGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('BUSYGROUP');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
