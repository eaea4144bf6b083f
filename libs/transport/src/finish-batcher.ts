import type { Redis } from 'ioredis';

/**
 * KEYS: the request stream, then the reply stream of each entry.
 * ARGV: the group, then (entry id, reply) for each entry; an empty reply sends nothing.
 * One script, so that for every entry the reply, the XACK and the XDEL happen together.
 */
const FINISH_REQUESTS_LUA = `
local ids = {}
for i = 2, #ARGV, 2 do
  local reply = ARGV[i + 1]
  if reply ~= '' then redis.call('XADD', KEYS[i / 2 + 1], 'NOMKSTREAM', '*', 'm', reply) end
  ids[#ids + 1] = ARGV[i]
end
redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
redis.call('XDEL', KEYS[1], unpack(ids))
return #ids`;

interface PendingFinish {
  entryId: string;
  replyStream: string;
  reply: string;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

type RedisWithFinish = Redis & {
  finishRequests(...args: (string | number)[]): Promise<number>;
};

/**
 * Finishes requests of one stream in batches: every request completed in the same turn of
 * the event loop is answered, acknowledged and deleted by a single script call. Under load
 * this turns one Redis command and one socket write per request into one per batch.
 */
export class FinishBatcher {
  private queue: PendingFinish[] = [];
  private scheduled = false;

  /** Must run before the connection sends anything: auto-pipelines only know commands defined by then. */
  static defineCommand(redis: Redis): void {
    redis.defineCommand('finishRequests', { lua: FINISH_REQUESTS_LUA });
  }

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly group: string,
  ) {}

  /**
   * @param othersInFlight whether other requests are still running: only then is it worth
   * waiting for the end of this event-loop turn to batch with them.
   */
  finish(
    entryId: string,
    replyStream: string,
    reply: string,
    othersInFlight: boolean,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entryId, replyStream, reply, done: { resolve, reject } });
      if (this.scheduled) {
        return;
      }
      this.scheduled = true;
      if (othersInFlight) {
        setImmediate(() => void this.flush());
      } else {
        void this.flush();
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const keys = [this.stream, ...batch.map((item) => item.replyStream || this.stream)];
    const args = [this.group, ...batch.flatMap((item) => [item.entryId, item.reply])];
    try {
      await (this.redis as RedisWithFinish).finishRequests(keys.length, ...keys, ...args);
      batch.forEach((item) => item.done.resolve());
    } catch (error) {
      batch.forEach((item) => item.done.reject(error));
    }
  }
}
